"""Writes digits.csv: the 8x8 handwritten digits (1,797 images, 64 pixels valued 0..16, and the label).

Source: UCI Machine Learning Repository, "Optical Recognition of Handwritten Digits" (E. Alpaydin,
C. Kaynak, 1998), licensed CC BY 4.0; this is the test set scikit-learn ships as
sklearn.datasets.load_digits (read from the installed package, nothing downloaded).
Run once: python3 convert_digits.py
"""
import csv

from sklearn.datasets import load_digits

digits = load_digits()
with open("digits.csv", "w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow([f"p{i}" for i in range(64)] + ["label"])
    for image, label in zip(digits.data.astype(int), digits.target):
        writer.writerow(list(image) + [int(label)])
print(len(digits.target), "images")

// OpenBLAS, declared without <cblas.h>.
//
// GSL's gsl_cblas.h and OpenBLAS's cblas.h define the CBLAS enums differently, and a Swift module
// that imports SalmonStatistics (which imports GSL) would see both. So this header includes
// neither: it declares the few routines DeadSalmon calls under its own names, bound to OpenBLAS's
// symbols with asm labels, and passes the standard CBLAS enum values as ints (CBLAS reference,
// netlib: CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112). The library is linked
// with -lopenblas; a test checks (dladdr) that cblas_sgemm resolves to OpenBLAS, not GSL's CBLAS.
#ifndef SALMON_COPENBLAS_SHIM_H
#define SALMON_COPENBLAS_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stddef.h>

enum { SALMON_CBLAS_ROW_MAJOR = 101, SALMON_CBLAS_NO_TRANS = 111, SALMON_CBLAS_TRANS = 112 };

void salmon_cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
    __asm__("cblas_sgemm");

void salmon_cblas_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda,
                        const float *x, int incx, float beta, float *y, int incy)
    __asm__("cblas_sgemv");

// LAPACK (Fortran ABI, as OpenBLAS exports it): every argument by pointer, and one hidden
// character-length argument (size_t) per character argument, appended in order (gfortran's
// convention). Symmetric eigendecomposition (divide and conquer) and Cholesky.
void salmon_dsyevd(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                   double *work, const int *lwork, int *iwork, const int *liwork, int *info,
                   size_t jobzLength, size_t uploLength) __asm__("dsyevd_");
void salmon_dpotrf(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uploLength)
    __asm__("dpotrf_");
void salmon_dpotrs(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b,
                   const int *ldb, int *info, size_t uploLength) __asm__("dpotrs_");

// glibc's malloc tuning (mallopt(3)), for AllocatorTuning: M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3
// (<malloc.h>, which Swift's Glibc module does not include). Returns 1 on success.
int salmon_mallopt(int parameter, int value) __asm__("mallopt");
enum { SALMON_M_TRIM_THRESHOLD = -1, SALMON_M_MMAP_THRESHOLD = -3 };

void salmon_openblas_set_num_threads(int count) __asm__("openblas_set_num_threads");
int salmon_openblas_get_num_threads(void) __asm__("openblas_get_num_threads");

/// The shared library that provides cblas_sgemm at run time (NULL if unknown).
static inline const char *salmon_sgemm_library(void) {
    Dl_info info;
    if (dladdr((void *)&salmon_cblas_sgemm, &info) != 0) return info.dli_fname;
    return NULL;
}

#endif

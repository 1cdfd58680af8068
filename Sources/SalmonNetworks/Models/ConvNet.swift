import SalmonStatistics

/// A small convolutional classifier in the shape of Adebayo et al.'s MNIST CNN: convolution
/// blocks (3 × 3 or larger convolution, same padding, ReLU, 2 × 2 max pooling), then fully
/// connected layers with ReLU between them and identity logits.
///
/// Images are the rows of `[batch, channels · height · width]` (NCHW per row), so the flattened
/// 8 × 8 digits feed a `ConvNet` as they feed an ``MLP``.
///
/// Layers are counted as the re-initialization studies count them: the convolutions first (layer
/// 0 next to the input), then the dense layers (the last one the logits). Layer i is drawn from
/// `stream.derived("layers", i)`, so one layer can be re-initialized alone.
///
/// Parameters in state-dict order (``parameterArrays``): each convolution's weight and bias, then
/// each dense layer's weight and bias.
public struct ConvNet: Sendable, Equatable {
    /// Input channels, height and width.
    public let channels: Int, height: Int, width: Int
    /// The convolution blocks, input first; each is followed by ReLU and ``pool``.
    public var convolutions: [Conv2D]
    /// The pooling after every convolution.
    public let pool: MaxPool2D
    /// The fully connected layers after flattening; ReLU between them, identity after the last.
    public var dense: [Linear]

    /// A freshly initialized network.
    /// - Parameters:
    ///   - channels, height, width: the input image.
    ///   - convolutionChannels: output channels of each convolution block (kernel `kernelSize`, same
    ///     padding, ReLU, max pooling by `poolSize`).
    ///   - hidden: widths of the hidden dense layers; `classes` the width of the logits.
    ///   - initializer: for every layer (PyTorch's default for `nn.Conv2d` and `nn.Linear`).
    public init(channels: Int, height: Int, width: Int, convolutionChannels: [Int], kernelSize: Int = 3, poolSize: Int = 2,
                hidden: [Int], classes: Int, initializer: Initializer = .pytorchDefault, stream: RandomStream) {
        precondition(channels > 0 && height > 0 && width > 0 && classes > 0, "ConvNet: positive sizes")
        precondition(kernelSize >= 1 && kernelSize % 2 == 1, "ConvNet: an odd kernel (same padding)")
        precondition(poolSize >= 1, "ConvNet: a pooling window of at least 1")
        precondition(convolutionChannels.allSatisfy { $0 >= 1 } && hidden.allSatisfy { $0 >= 1 }, "ConvNet: positive widths")
        var c = channels, h = height, w = width
        var layer = 0
        var convolutions: [Conv2D] = []
        for out in convolutionChannels {
            var s = stream.derived("layers", .index(layer))
            convolutions.append(Conv2D(inChannels: c, outChannels: out, kernelSize: kernelSize, padding: kernelSize / 2,
                                       initializer: initializer, stream: &s))
            c = out
            (h, w) = (h / poolSize, w / poolSize)
            precondition(h >= 1 && w >= 1, "ConvNet: the image is pooled away")
            layer += 1
        }
        let sizes = [c * h * w] + hidden + [classes]
        var dense: [Linear] = []
        for i in 0..<(sizes.count - 1) {
            var s = stream.derived("layers", .index(layer))
            dense.append(Linear(inFeatures: sizes[i], outFeatures: sizes[i + 1], initializer: initializer, stream: &s))
            layer += 1
        }
        self.init(channels: channels, height: height, width: width, convolutions: convolutions, pool: MaxPool2D(size: poolSize),
                  dense: dense)
    }

    /// A network from its layers.
    /// - Precondition: the layers fit one another and the image.
    public init(channels: Int, height: Int, width: Int, convolutions: [Conv2D], pool: MaxPool2D, dense: [Linear]) {
        precondition(!dense.isEmpty, "ConvNet needs at least one dense layer")
        var c = channels, h = height, w = width
        for (i, conv) in convolutions.enumerated() {
            precondition(conv.inChannels == c, "ConvNet: convolution \(i) expects \(conv.inChannels) channels, gets \(c)")
            let size = conv.outputSize(height: h, width: w)
            (h, w) = pool.outputSize(height: size.height, width: size.width)
            precondition(size.height >= 1 && size.width >= 1 && h >= 1 && w >= 1, "ConvNet: convolution \(i) leaves no image")
            c = conv.outChannels
        }
        precondition(dense[0].inFeatures == c * h * w, "ConvNet: dense layer 0 expects \(dense[0].inFeatures) inputs, gets \(c * h * w)")
        for i in 1..<dense.count {
            precondition(dense[i - 1].outFeatures == dense[i].inFeatures, "ConvNet: dense layer \(i) does not fit layer \(i - 1)")
        }
        self.channels = channels
        self.height = height
        self.width = width
        self.convolutions = convolutions
        self.pool = pool
        self.dense = dense
    }

    /// The input width, channels · height · width.
    public var inputWidth: Int { channels * height * width }
    /// The number of classes (logits).
    public var outputWidth: Int { dense[dense.count - 1].outFeatures }
    /// Convolutions plus dense layers.
    public var layerCount: Int { convolutions.count + dense.count }
    /// The most scalars any layer holds per input row: a convolution's output (channels ·
    /// positions) or its im2col columns (in · k · k · positions), or a dense layer's width.
    public var widestActivation: Int {
        var widest = inputWidth, h = height, w = width
        for conv in convolutions {
            let size = conv.outputSize(height: h, width: w)
            let positions = size.height * size.width
            widest = max(widest, conv.outChannels * positions, conv.inChannels * conv.kernelSize * conv.kernelSize * positions)
            (h, w) = pool.outputSize(height: size.height, width: size.width)
        }
        return max(widest, dense.map(\.outFeatures).max() ?? 0)
    }

    /// What a forward pass keeps for the backward pass.
    public struct Pass: Sendable {
        /// The logits, `[batch, classes]`.
        public var output: Tensor
        /// Per convolution: its pre-activation `[batch, out · H · W]`, and for every pooled output
        /// the index (within the row) of the maximum it took.
        public internal(set) var convolutionPreActivations: [Tensor]
        public internal(set) var poolingMaxima: [[Int32]]
        /// Per dense layer: its pre-activation.
        public internal(set) var densePreActivations: [Tensor]
        /// Per convolution: the input's spatial size and its im2col columns; per dense layer its input.
        var convolutionSizes: [(height: Int, width: Int)]
        var columns: [[Float]]
        var denseInputs: [Tensor]
    }

    /// Runs the network on a batch `[batch, inputWidth]`.
    public func forward(_ input: Tensor) -> Pass {
        precondition(input.rank == 2 && input.shape[1] == inputWidth, "ConvNet input must be [batch, \(inputWidth)], got \(input.shape)")
        var x = input, h = height, w = width
        var sizes: [(height: Int, width: Int)] = [], columns: [[Float]] = [], pre: [Tensor] = [], argmax: [[Int32]] = []
        for conv in convolutions {
            sizes.append((h, w))
            let (z, cols) = conv.forward(x, height: h, width: w)
            columns.append(cols)
            pre.append(z)
            var a = z
            Activation.relu.apply(z.scalars, into: &a.scalars)
            let size = conv.outputSize(height: h, width: w)
            let (pooled, arg) = pool.forward(a, channels: conv.outChannels, height: size.height, width: size.width)
            argmax.append(arg)
            x = pooled
            (h, w) = pool.outputSize(height: size.height, width: size.width)
        }
        var denseInputs: [Tensor] = [], densePre: [Tensor] = []
        for (i, layer) in dense.enumerated() {
            denseInputs.append(x)
            let z = layer.forward(x)
            densePre.append(z)
            if i < dense.count - 1 {
                var a = z
                Activation.relu.apply(z.scalars, into: &a.scalars)
                x = a
            } else {
                x = z
            }
        }
        return Pass(output: x, convolutionPreActivations: pre, poolingMaxima: argmax, densePreActivations: densePre,
                    convolutionSizes: sizes, columns: columns, denseInputs: denseInputs)
    }

    /// The logits for a batch.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input).output }
}

extension ConvNet: ParameterizedModel {
    /// The parameters in state-dict order: each convolution's weight and bias, then each dense layer's.
    public var parameterArrays: [[Float]] {
        get { convolutions.flatMap { [$0.weight.scalars, $0.bias.scalars] } + dense.flatMap { [$0.weight.scalars, $0.bias.scalars] } }
        set {
            precondition(newValue.count == 2 * layerCount, "two arrays per layer")
            for i in convolutions.indices {
                convolutions[i].weight.scalars = newValue[2 * i]
                convolutions[i].bias.scalars = newValue[2 * i + 1]
            }
            let offset = 2 * convolutions.count
            for i in dense.indices {
                dense[i].weight.scalars = newValue[offset + 2 * i]
                dense[i].bias.scalars = newValue[offset + 2 * i + 1]
            }
        }
    }
}

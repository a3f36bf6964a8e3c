import CDNNL

/// Everything that determines a 2-D convolution's kernel, validated by `conv2d`.
package struct ConvolutionGeometry: Hashable, CustomStringConvertible {
    package init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int, kernelHeight: Int,
                 kernelWidth: Int, strideHeight: Int, strideWidth: Int, padTop: Int, padLeft: Int, padBottom: Int,
                 padRight: Int, dilationHeight: Int, dilationWidth: Int, groups: Int) {
        (self.batch, self.inChannels, self.height, self.width) = (batch, inChannels, height, width)
        (self.outChannels, self.kernelHeight, self.kernelWidth) = (outChannels, kernelHeight, kernelWidth)
        (self.strideHeight, self.strideWidth) = (strideHeight, strideWidth)
        (self.padTop, self.padLeft, self.padBottom, self.padRight) = (padTop, padLeft, padBottom, padRight)
        (self.dilationHeight, self.dilationWidth, self.groups) = (dilationHeight, dilationWidth, groups)
    }

    package var batch, inChannels, height, width: Int
    package var outChannels, kernelHeight, kernelWidth: Int
    package var strideHeight, strideWidth: Int
    package var padTop, padLeft, padBottom, padRight: Int
    package var dilationHeight, dilationWidth: Int
    package var groups: Int

    package var outHeight: Int {
        (height + padTop + padBottom - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1
    }

    package var outWidth: Int {
        (width + padLeft + padRight - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1
    }

    package var inputShape: [Int] { [batch, inChannels, height, width] }
    package var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    package var weightShape: [Int] { [outChannels, inChannels / groups, kernelHeight, kernelWidth] }

    /// Multiply-adds of the forward pass (the same for each backward pass).
    package var multiplyAdds: Int { batch * outChannels * outHeight * outWidth * (inChannels / groups) * kernelHeight * kernelWidth }

    package var description: String {
        "\(batch)x\(inChannels)x\(height)x\(width)->\(outChannels) k\(kernelHeight)x\(kernelWidth) "
            + "s\(strideHeight)x\(strideWidth) p\(padTop),\(padLeft),\(padBottom),\(padRight) "
            + "d\(dilationHeight)x\(dilationWidth) g\(groups)"
    }
}

/// Where a convolution primitive keeps activations while it runs.
package enum ConvolutionLayout: String, CaseIterable, Sendable {
    /// NCHW as the caller holds it: no reorders (oneDNN's GEMM-based kernels). Fastest
    /// here for few input channels (a network's 3-channel stem) and for 1x1 convolutions.
    case plain
    /// The primitive's preferred blocked layout (e.g. `nChw16c`), reordered in and out.
    /// Fastest for 3x3 layers with many channels despite the reorders.
    case blocked
}

/// oneDNN convolution: forward (optionally fused with ReLU), backward data and backward
/// weights, on NCHW / OIHW buffers, in whichever ``ConvolutionLayout`` measured fastest
/// for the geometry.
package enum DNNLConvolution {
    private struct PrimitiveKey: Hashable {
        let pass: ConvolutionTuning.Pass
        let geometry: ConvolutionGeometry
        let hasBias: Bool
        let fusedReLU: Bool
        let layout: ConvolutionLayout
    }

    /// Source, weights and destination descriptors in ConvKit's plain layouts.
    private static func userDescriptors(_ g: ConvolutionGeometry)
        -> (source: dnnl_memory_desc_t, weights: dnnl_memory_desc_t, bias: dnnl_memory_desc_t, destination: dnnl_memory_desc_t) {
        let weights = g.groups == 1
            ? dnnlDescriptor(g.weightShape, tag: dnnl_oihw)
            : dnnlDescriptor([g.groups, g.outChannels / g.groups, g.inChannels / g.groups, g.kernelHeight, g.kernelWidth],
                             tag: dnnl_goihw)
        return (dnnlDescriptor(g.inputShape, tag: dnnl_nchw), weights, dnnlDescriptor([g.outChannels], tag: dnnl_a),
                dnnlDescriptor(g.outputShape, tag: dnnl_nchw))
    }

    /// Descriptors offered to the primitive: activations in `layout`, weights in
    /// whatever layout the kernel prefers (they are small, so reordering them is cheap).
    private static func primitiveDescriptors(_ g: ConvolutionGeometry, _ layout: ConvolutionLayout)
        -> (source: dnnl_memory_desc_t, weights: dnnl_memory_desc_t, destination: dnnl_memory_desc_t) {
        let weightDims = g.groups == 1 ? g.weightShape
            : [g.groups, g.outChannels / g.groups, g.inChannels / g.groups, g.kernelHeight, g.kernelWidth]
        let activationTag = layout == .plain ? dnnl_nchw : dnnl_format_tag_any
        return (dnnlDescriptor(g.inputShape, tag: activationTag),
                dnnlDescriptor(weightDims, tag: dnnl_format_tag_any),
                dnnlDescriptor(g.outputShape, tag: activationTag))
    }

    private static func spatial(_ g: ConvolutionGeometry) -> (strides: [Int64], dilations: [Int64], left: [Int64], right: [Int64]) {
        ([Int64(g.strideHeight), Int64(g.strideWidth)],
         [Int64(g.dilationHeight - 1), Int64(g.dilationWidth - 1)],
         [Int64(g.padTop), Int64(g.padLeft)],
         [Int64(g.padBottom), Int64(g.padRight)])
    }

    private static func forwardPrimitive(_ g: ConvolutionGeometry, hasBias: Bool, fusedReLU: Bool, training: Bool,
                                         layout: ConvolutionLayout) throws -> DNNLPrimitive {
        let key = PrimitiveKey(pass: training ? .forwardTraining : .forwardInference, geometry: g, hasBias: hasBias,
                               fusedReLU: fusedReLU, layout: layout)
        return try DNNLContext.shared.primitive(key) {
            var (source, weights, destination) = primitiveDescriptors(g, layout)
            // A zero descriptor disables the bias term.
            var bias = hasBias ? userDescriptors(g).bias : dnnl_memory_desc_t()
            let (strides, dilations, left, right) = spatial(g)
            var operation = dnnl_convolution_desc_t()
            try dnnlCheck(dnnl_dilated_convolution_forward_desc_init(
                &operation, training ? dnnl_forward_training : dnnl_forward_inference, dnnl_convolution_direct,
                &source, &weights, &bias, &destination, strides, dilations, left, right), "conv2d forward")
            var attributes: dnnl_primitive_attr_t?
            if fusedReLU {
                var postOps: dnnl_post_ops_t?
                attributes = try DNNLPrimitive.makeAttributes()
                dnnl_post_ops_create(&postOps)
                dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, 0, 0)
                dnnl_primitive_attr_set_post_ops(attributes, postOps)
                dnnl_post_ops_destroy(postOps)
            }
            return try DNNLPrimitive(operation: &operation, attributes: attributes, what: "conv2d forward")
        }
    }

    /// `output = conv(input, weight) + bias`, then ReLU when `fusedReLU`.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                        bias: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>,
                        fusedReLU: Bool, training: Bool, layout: ConvolutionLayout? = nil) throws {
        let layout = try layout ?? ConvolutionTuning.fastestLayout(g, training ? .forwardTraining : .forwardInference)
        let primitive = try forwardPrimitive(g, hasBias: bias != nil, fusedReLU: fusedReLU, training: training,
                                             layout: layout)
        let user = userDescriptors(g)
        try run(primitive, what: "conv2d forward",
                inputs: [(DNNL_ARG_SRC, dnnl_query_src_md, user.source, input),
                         (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, user.weights, weight)],
                output: (DNNL_ARG_DST, dnnl_query_dst_md, user.destination, output),
                bias: bias.map { (DNNL_ARG_BIAS, user.bias, $0) })
    }

    /// Gradient w.r.t. the input: `gradInput = conv_transpose(gradOutput, weight)`.
    package static func backwardData(_ g: ConvolutionGeometry, gradOutput: UnsafeMutablePointer<Float>,
                             weight: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
                             layout: ConvolutionLayout? = nil) throws {
        let layout = try layout ?? ConvolutionTuning.fastestLayout(g, .backwardData)
        let hint = try forwardPrimitive(g, hasBias: false, fusedReLU: false, training: true, layout: layout)
        let key = PrimitiveKey(pass: .backwardData, geometry: g, hasBias: false, fusedReLU: false, layout: layout)
        let primitive = try DNNLContext.shared.primitive(key) {
            var (source, weights, destination) = primitiveDescriptors(g, layout)
            let (strides, dilations, left, right) = spatial(g)
            var operation = dnnl_convolution_desc_t()
            try dnnlCheck(dnnl_dilated_convolution_backward_data_desc_init(
                &operation, dnnl_convolution_direct, &source, &weights, &destination, strides, dilations, left, right),
                "conv2d backward data")
            return try DNNLPrimitive(operation: &operation, hint: hint, what: "conv2d backward data")
        }
        let user = userDescriptors(g)
        try run(primitive, what: "conv2d backward data",
                inputs: [(DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, user.destination, gradOutput),
                         (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, user.weights, weight)],
                output: (DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, user.source, gradInput), bias: nil)
    }

    /// Gradients w.r.t. the weight and (when `gradBias` is given) the bias.
    package static func backwardWeights(_ g: ConvolutionGeometry, input: UnsafeMutablePointer<Float>,
                                gradOutput: UnsafeMutablePointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
                                gradBias: UnsafeMutablePointer<Float>?, layout: ConvolutionLayout? = nil) throws {
        let layout = try layout ?? ConvolutionTuning.fastestLayout(g, .backwardWeights)
        let hint = try forwardPrimitive(g, hasBias: gradBias != nil, fusedReLU: false, training: true, layout: layout)
        let key = PrimitiveKey(pass: .backwardWeights, geometry: g, hasBias: gradBias != nil, fusedReLU: false, layout: layout)
        let primitive = try DNNLContext.shared.primitive(key) {
            var (source, weights, destination) = primitiveDescriptors(g, layout)
            var bias = gradBias != nil ? userDescriptors(g).bias : dnnl_memory_desc_t()
            let (strides, dilations, left, right) = spatial(g)
            var operation = dnnl_convolution_desc_t()
            try dnnlCheck(dnnl_dilated_convolution_backward_weights_desc_init(
                &operation, dnnl_convolution_direct, &source, &weights, &bias, &destination,
                strides, dilations, left, right), "conv2d backward weights")
            return try DNNLPrimitive(operation: &operation, hint: hint, what: "conv2d backward weights")
        }
        let user = userDescriptors(g)
        try run(primitive, what: "conv2d backward weights",
                inputs: [(DNNL_ARG_SRC, dnnl_query_src_md, user.source, input),
                         (DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, user.destination, gradOutput)],
                output: (DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md, user.weights, gradWeight),
                bias: gradBias.map { (DNNL_ARG_DIFF_BIAS, user.bias, $0) })
    }

    /// One argument: oneDNN's argument id, the query for the layout the primitive chose,
    /// the caller's plain layout, and the caller's buffer.
    private typealias Argument = (id: Int32, query: dnnl_query_t, user: dnnl_memory_desc_t,
                                  pointer: UnsafeMutablePointer<Float>)

    /// Reorders the inputs into the primitive's layouts where they differ, runs it, and
    /// reorders the output back into the caller's buffer. The bias is always plain.
    private static func run(_ primitive: DNNLPrimitive, what: String, inputs: [Argument], output: Argument,
                            bias: (Int32, dnnl_memory_desc_t, UnsafeMutablePointer<Float>)?) throws {
        var arguments: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = []
        var staging: [StagedBuffer] = []  // keeps scratch copies alive until the primitive has run
        for input in inputs {
            let wanted = primitive.memoryDescriptor(input.query)
            let staged = try DNNLReorder.staged(user: input.user, input.pointer, wanted: wanted, copyIn: true)
            staging.append(staged)
            arguments.append((input.id, wanted, staged.pointer))
        }
        let wantedOutput = primitive.memoryDescriptor(output.query)
        let result = try DNNLReorder.staged(user: output.user, output.pointer, wanted: wantedOutput, copyIn: false)
        arguments.append((output.id, wantedOutput, result.pointer))
        if let (id, descriptor, pointer) = bias { arguments.append((id, descriptor, UnsafeMutableRawPointer(pointer))) }
        try primitive.execute(arguments, what: what)
        try result.copyOut(as: wantedOutput, to: output.user, output.pointer)
        withExtendedLifetime(staging) {}
    }
}

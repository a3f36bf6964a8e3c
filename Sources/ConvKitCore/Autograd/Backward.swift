extension Tensor {
    /// Back-propagates from this tensor, adding to the ``grad`` of every leaf that
    /// requires one. Gradients accumulate across calls, as in PyTorch; clear them
    /// between steps.
    ///
    /// - Parameter gradient: the gradient of some scalar w.r.t. this tensor; may be
    ///   omitted only when this tensor holds a single element (a loss).
    public func backward(_ gradient: Tensor? = nil) throws {
        guard requiresGrad else {
            throw TensorError("backward(): this tensor of shape \(describe(shape)) does not require a gradient; "
                + "set requiresGrad on an input or parameter before computing it")
        }
        let seed: Tensor
        if let gradient {
            guard gradient.shape == shape else {
                throw TensorError("backward(): gradient of shape \(describe(gradient.shape)) does not match "
                    + "the tensor's shape \(describe(shape))")
            }
            seed = gradient
        } else {
            guard count == 1 else {
                throw TensorError("backward() without a gradient needs a single-element output, got shape "
                    + "\(describe(shape)); pass the output gradient explicitly")
            }
            seed = Tensor.ones(shape)
        }

        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        try withNoGrad {
            for node in order.reversed() {
                guard let outputGradient = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
                if node.isLeaf || node.retainsGrad {
                    node.grad = try node.grad.map { try $0 + outputGradient } ?? outputGradient
                }
                guard let function = node.gradFunction else { continue }
                let inputGradients = try function.backward(outputGradient)
                for (input, inputGradient) in zip(function.inputs, inputGradients) {
                    guard input.requiresGrad, let inputGradient else { continue }
                    let key = ObjectIdentifier(input)
                    pending[key] = try pending[key].map { try $0 + inputGradient } ?? inputGradient
                }
            }
        }
    }

    /// Every tensor reachable from this one through recorded operations, inputs before
    /// the tensors computed from them (iterative, so deep networks cannot overflow the stack).
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
        var stack: [(tensor: Tensor, nextInput: Int)] = [(self, 0)]
        while let (tensor, nextInput) = stack.last {
            let inputs = tensor.gradFunction?.inputs ?? []
            if nextInput < inputs.count {
                stack[stack.count - 1].nextInput += 1
                let input = inputs[nextInput]
                if input.requiresGrad, visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(tensor)
                stack.removeLast()
            }
        }
        return order
    }
}

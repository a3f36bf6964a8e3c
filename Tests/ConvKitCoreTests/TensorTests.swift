@testable import ConvKitCore
import Testing

@Suite struct TensorTests {
    @Test func viewsShareStorageWithoutCopying() throws {
        let x = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let reshaped = try x.reshaped([6, -1])
        #expect(reshaped.shape == [6, 4])
        #expect(reshaped.storage === x.storage)
        let permuted = try x.permuted([2, 0, 1])
        #expect(permuted.storage === x.storage)
        #expect(permuted.shape == [4, 2, 3])
        #expect(!permuted.isContiguous)
        #expect(permuted.contiguous().scalars.prefix(6) == [0, 4, 8, 12, 16, 20])
        let sliced = try x.sliced(axis: 2, start: 1, end: 4, step: 2)
        #expect(sliced.scalars == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23])
        let expanded = try Tensor([1, 2, 3], shape: [3, 1]).expanded(to: [2, 3, 4])
        #expect(expanded.strides == [0, 1, 0])
        #expect(expanded.scalars.prefix(8) == [1, 1, 1, 1, 2, 2, 2, 2])
    }

    @Test func broadcastingArithmeticAndGradients() throws {
        let a = randomTensor([2, 3, 4], seed: 1), b = randomTensor([3, 1], seed: 2)
        let sum = try a + b
        #expect(sum.shape == [2, 3, 4])
        #expect(abs(sum.scalars[5] - (a.scalars[5] + b.scalars[1])) < 1e-6)
        try checkGradients([a, b]) { try $0[0] * $0[1] - $0[0] / ($0[1] * $0[1] + 2) }
    }

    @Test func invalidShapesNameTheShapes() {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4])
        #expect(throws: TensorError("add: shapes [2, 3] and [4] cannot be broadcast together (dimension 1 is 3 vs 4)")) {
            try a + b
        }
        #expect(throws: TensorError.self) { try a.reshaped([4, 2]) }
    }

    @Test func gradientsAccumulateAndNoGradRecordsNothing() throws {
        let w = Tensor([1, 2, 3]).requiringGrad()
        try (w * 2).sum().backward()
        try (w * 3).sum().backward()
        #expect(w.grad?.scalars == [5, 5, 5])
        let untracked = withNoGrad { w * 2 }
        #expect(!untracked.requiresGrad)
        #expect(untracked.gradFunctionName == nil)
        #expect((w * 2).detached().requiresGrad == false)
    }

    @Test func seededGeneratorsReproduce() {
        var first = RandomGenerator(seed: 42), second = RandomGenerator(seed: 42)
        #expect(Tensor.normal([100], using: &first).scalars == Tensor.normal([100], using: &second).scalars)
        let samples = Tensor.normal([20_000], using: &first).scalars
        let mean = samples.reduce(0, +) / Float(samples.count)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(samples.count)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    }
}

@Suite struct GraphMemoryTests {
    /// Every op's output must be freed once nothing refers to it: a backward closure that
    /// strongly captured its own output would leak every activation of every step.
    @Test func outputsAreFreedAfterBackward() throws {
        weak var activation: Tensor?
        weak var probabilities: Tensor?
        let x = randomTensor([4, 5], seed: 1).requiringGrad()
        do {
            let hidden = x.relu().sigmoid()
            activation = hidden
            let softmax = try hidden.softmax(axis: 1)
            probabilities = softmax
            try (softmax * hidden).sum().backward()
        }
        #expect(activation == nil)
        #expect(probabilities == nil)
    }
}

@Suite struct TensorCreationAndPrintingTests {
    @Test func creationFunctions() {
        #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.full([2, 2], 3).scalars == [3, 3, 3, 3])
        #expect(Tensor.zeros([3], dtype: .int64).integers == [0, 0, 0])
        #expect(Tensor(bytes: [1, 255], shape: [2]).scalars == [1, 255])
        #expect(Tensor(scalar: 2.5).shape == [] && Tensor(scalar: 2.5).item == 2.5)
        #expect(Tensor.uniform([1000], low: 2, high: 3).scalars.allSatisfy { (2..<3).contains($0) })
    }

    @Test func printingShowsShapeDtypeAndValues() {
        let small = Tensor([1, 2.5, -3, 4], shape: [2, 2]).requiringGrad()
        #expect(small.description == "Tensor(shape: [2, 2], dtype: float32, requiresGrad)\n[[1.0, 2.5],\n [-3.0, 4.0]]")
        let long = Tensor.arange(0, 100)
        #expect(long.description.hasSuffix("[0.0, 1.0, 2.0, ..., 97.0, 98.0, 99.0]"))
        #expect(Tensor(integers: [3, 1], shape: [2]).description == "Tensor(shape: [2], dtype: int64)\n[3, 1]")
    }
}

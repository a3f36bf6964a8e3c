import ConvKitOptim
import Testing

@Suite struct ScheduleTests {
    @Test func schedulesMatchPyTorch() throws {
        let reference = try Reference.load()
        let cases: [(String, LearningRateSchedule)] = [
            ("step", try .step(size: 7, gamma: 0.5)),
            ("multistep", .multiStep(milestones: [5, 12, 20], gamma: 0.3)),
            ("exponential", .exponential(gamma: 0.9)),
            ("cosine", try .cosine(period: 30, minimum: 0.001)),
            ("cosine_restarts", try .cosineWithRestarts(firstPeriod: 4, periodMultiplier: 2, minimum: 0.01)),
            ("cosine_restarts_constant", try .cosineWithRestarts(firstPeriod: 7)),
            ("one_cycle", try .oneCycle(totalSteps: 30)),
            ("one_cycle_custom", try .oneCycle(totalSteps: 30, warmFraction: 0.25, divFactor: 10, finalDivFactor: 100)),
            ("warmup_step", try LearningRateSchedule.step(size: 4, gamma: 0.5).withLinearWarmup(steps: 3, startFactor: 0.5)),
            ("warmup_cosine", try LearningRateSchedule.cosine(period: 25).withLinearWarmup(steps: 5, startFactor: 0.2)),
        ]
        for (name, schedule) in cases {
            let expected = try #require(reference.schedules[name], "no fixture for \(name)")
            expectClose((0..<30).map { schedule(base: 0.1, step: $0) }, expected, relative: 1e-6, name)
        }
    }

    @Test func reduceOnPlateauMatchesPyTorch() throws {
        let reference = try Reference.load()
        let cases: [(String, ReduceOnPlateau)] = [
            ("plateau", try ReduceOnPlateau(factor: 0.5, patience: 2, cooldown: 1)),
            ("plateau_max", try ReduceOnPlateau(mode: .maximize, factor: 0.3, patience: 1, threshold: 0.05, minimumRate: 0.005)),
        ]
        for (name, plateau) in cases {
            var rate: Float = 0.1, rates: [Float] = []
            for metric in reference.plateau_metrics {
                rates.append(rate)
                rate = plateau.step(metric: metric, rates: [rate])[0]
            }
            expectClose(rates, try #require(reference.schedules[name]), relative: 1e-6, name)
        }
    }

    @Test func applyScalesEveryGroupsBaseRate() throws {
        let optimizer = try SGD(groups: [ParameterGroup([Tensor([1])], learningRate: 0.1),
                                         ParameterGroup([Tensor([2])], learningRate: 0.01)])
        let schedule = try LearningRateSchedule.step(size: 2, gamma: 0.5)
        schedule.apply(to: optimizer, baseRates: [0.1, 0.01], step: 5)
        #expect(optimizer.groups.map(\.learningRate) == [0.025, 0.0025])
    }

    @Test func negativeStepsClampToTheStart() throws {
        let schedule = try LearningRateSchedule.cosine(period: 10).withLinearWarmup(steps: 4, startFactor: 0.25)
        #expect(schedule(base: 0.2, step: -3) == schedule(base: 0.2, step: 0))
        #expect(schedule(base: 0.2, step: 0) == 0.05)
    }

    @Test func restartsWithAConstantPeriodStayCheapAndPeriodic() throws {
        let schedule = try LearningRateSchedule.cosineWithRestarts(firstPeriod: 7, minimum: 0.01)
        #expect(schedule(base: 0.1, step: 7_000_003) == schedule(base: 0.1, step: 3))
    }

    @Test func invalidSchedulesAreRefused() {
        expectError(mentioning: "0") { _ = try LearningRateSchedule.step(size: 0) }
        expectError(mentioning: "-5") { _ = try LearningRateSchedule.cosine(period: -5) }
        expectError(mentioning: "0 and 2") { _ = try LearningRateSchedule.cosineWithRestarts(firstPeriod: 0, periodMultiplier: 2) }
        expectError(mentioning: "1 steps") { _ = try LearningRateSchedule.oneCycle(totalSteps: 1) }
        expectError(mentioning: "fraction 1.0") { _ = try LearningRateSchedule.oneCycle(totalSteps: 10, warmFraction: 1) }
        expectError(mentioning: "factor 2.0") { _ = try ReduceOnPlateau(factor: 2) }
        expectError(mentioning: "cooldown -1") { _ = try ReduceOnPlateau(cooldown: -1) }
    }
}

import ConvKitVision
import Foundation
import Testing

@Suite struct TransformSpecTests {
    @Test func parsesTheDocumentedExample() throws {
        let spec = try TransformSpec("randomresizedcrop(224,scale=0.5-1);hflip(0.5);colorjitter(0.4,0.4,0.4,0.1);normalize(imagenet)")
        #expect(spec.transform.transforms.count == 4)
        let crop = try #require(spec.transform.transforms[0] as? RandomResizedCrop)
        #expect(crop.height == 224 && crop.width == 224 && crop.scale == 0.5...1)
        let jitter = try #require(spec.transform.transforms[2] as? ColorJitter)
        #expect(jitter.brightness == 0.4 && jitter.hue == 0.1)
        #expect((spec.transform.transforms[3] as? Normalize)?.mean == Normalize.imagenet.mean)
        #expect(spec.batchMixing == nil)
    }

    @Test func descriptionsParseBackToTheSamePipeline() throws {
        let text = "resize(40x30,bicubic);randomcrop(24,padding=2,mode=reflect);affine(10,translate=0.1x0.2,scale=0.9-1.1,shear=5);"
            + "randomapply(gaussianblur(5,sigma=0.5-1.5),p=0.3);randomchoice(grayscale(3),vflip(1));noise(0.05);"
            + "erasing(0.25);normalize(mean=0.5/0.4/0.3,std=0.2/0.2/0.2);cutmix(1)"
        let spec = try TransformSpec(text)
        #expect(spec.batchMixing is CutMix)
        #expect(try TransformSpec(spec.description).description == spec.description)
    }

    @Test func jsonFilesGiveTheSameSteps() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("augment.json")
        try Data("""
            [{"name": "randomcrop", "size": 24, "padding": 2},
             {"name": "randomapply", "p": 0.3, "transform": {"name": "gaussianblur", "kernel": 5, "sigma": [0.5, 1.5]}},
             {"name": "normalize", "mean": [0.5], "std": [0.25]}]
            """.utf8).write(to: file)
        let spec = try TransformSpec(file.path)
        #expect(spec.description == (try TransformSpec("randomcrop(24,padding=2);randomapply(gaussianblur(5,sigma=0.5-1.5),p=0.3);"
            + "normalize(mean=0.5,std=0.25)").description))
        #expect(try TransformSpec(json: Data(contentsOf: file)).description == spec.description)
        #expect(throws: TransformError("the transform JSON must hold a JSON array of objects like {\"name\": \"hflip\", \"p\": 0.5}")) {
            try TransformSpec(json: Data("{}".utf8))
        }
    }

    @Test func mistakesAreExplained() {
        func message(_ text: String) -> String {
            do { _ = try TransformSpec(text); return "no error" } catch { return "\(error)" }
        }
        #expect(message("hflip;rotate(30)").hasPrefix("unknown transform 'rotate'; known: resize, centercrop, randomcrop"))
        #expect(message("hflip(q=1)") == "hflip: unknown argument 'q'; it takes p")
        #expect(message("hflip(2)") == "hflip: probability must be in [0, 1], got 2.0")
        #expect(message("randomcrop(big)") == "randomcrop: size must be a positive size N or HxW, got 'big'")
        #expect(message("randomresizedcrop(224,scale=1-0.5)")
            == "randomresizedcrop: scale must be a range low-high with low <= high, got '1-0.5'")
        #expect(message("randomcrop(24,mode=wrap)").contains("one of constant, edge, reflect, symmetric"))
        #expect(message("colorjitter(1,2,3,4,5)") == "colorjitter: too many arguments; it takes brightness, contrast, saturation, hue")
        #expect(message("gaussianblur(4)").contains("odd"))
        #expect(message("hflip(0.5").contains("unbalanced"))
        #expect(message("mixup;cutmix") == "use at most one of mixup and cutmix")
        #expect(message("randomapply(mixup)").contains("cannot be nested"))
        #expect(message("missing.json") == "cannot read the transform file missing.json")
    }
}

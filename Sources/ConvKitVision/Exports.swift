// Importing ConvKitVision brings layers and tensors with it.
@_exported import ConvKitNN

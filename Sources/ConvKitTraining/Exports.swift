// Importing ConvKitTraining brings the whole training stack with it.
@_exported import ConvKitData
@_exported import ConvKitInterop
@_exported import ConvKitNN
@_exported import ConvKitOptim

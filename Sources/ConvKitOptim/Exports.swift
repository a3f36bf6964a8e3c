// Importing ConvKitOptim brings the tensor engine with it.
@_exported import ConvKitNN

// Importing ConvKitNN brings the tensor engine with it.
@_exported import ConvKitCore

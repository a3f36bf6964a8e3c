// Importing ConvKitData brings the tensor engine with it.
@_exported import ConvKitCore

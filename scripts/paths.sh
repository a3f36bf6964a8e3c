# Sourced by the scripts: the folders ConvKit keeps large downloaded assets in, with the library's
# defaults (PublishedWeights.cacheDirectory, DatasetLocator), exported so that convkit finds them too.
# Checkpoints go to $CONVKIT_CACHE/checkpoints, datasets and sample images to $CONVKIT_DATA/<name>.
export CONVKIT_CACHE=${CONVKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/convkit}
export CONVKIT_DATA=${CONVKIT_DATA:-$CONVKIT_CACHE/data}

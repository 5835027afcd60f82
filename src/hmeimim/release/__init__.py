"""Making releases: building a folder from inputs, the next version with its bump rules,
the diff between versions, and reproducing a release byte for byte."""

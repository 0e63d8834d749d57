"""The staff knowledge layer: reviewed changes over the bundled files, kept live in every worker."""

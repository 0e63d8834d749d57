"""The one command line, `pufa`: click sub-commands over the library."""

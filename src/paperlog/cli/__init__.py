"""The command line: thin commands over the library API, loaded lazily for a fast start."""

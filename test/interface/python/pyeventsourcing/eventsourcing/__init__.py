__version__ = "9.3.0dev0"

import CJPEGShim

// OpenBLAS's CBLAS interface, from the system (libopenblas-dev; pkg-config openblas).
#include <cblas.h>

// OpenBLAS's CBLAS interface. Debian installs cblas.h under an openblas-* include directory that
// `pkg-config --cflags openblas` names. Never include GSL headers here: gsl_cblas.h redefines the
// CBLAS enums (see ../../ARCHITECTURE.md, "System libraries").
#include <cblas.h>

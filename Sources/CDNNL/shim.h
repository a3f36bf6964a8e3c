#include <oneapi/dnnl/dnnl.h>
#include <malloc.h>  // mallopt: see TensorStorage

// libgomp, the OpenMP runtime oneDNN runs on. ConvKit's own parallel loops run on the
// same thread pool through GOMP_parallel (the entry point GCC compiles
// `#pragma omp parallel` to), so two thread pools never compete for the cores.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned int flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_get_max_threads(void);

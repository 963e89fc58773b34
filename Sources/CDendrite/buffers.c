// Tensor buffers: large ones come from mmap and are kept after release in per-size free lists,
// so a training loop — the same sizes freed and requested every step — reuses them without a
// page fault and without fragmenting the malloc heap. See TensorStorage.swift.
#include "CDendrite.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

enum { dd_small_limit = 64 * 1024, dd_page = 4096, dd_bucket_count = 1024 };

// One free list per size in pages (open addressing; a released buffer holds the next link).
typedef struct { size_t pages; void *head; } dd_bucket;

static pthread_mutex_t dd_lock = PTHREAD_MUTEX_INITIALIZER;
static dd_bucket dd_buckets[dd_bucket_count];
static size_t dd_live, dd_peak_live, dd_cached;   // bytes of large buffers

static dd_bucket *dd_find(size_t pages, int create) {
    size_t slot = (pages * 0x9E3779B97F4A7C15ull) >> 54;   // 10 bits: dd_bucket_count
    for (size_t probe = 0; probe < dd_bucket_count; ++probe) {
        dd_bucket *bucket = &dd_buckets[(slot + probe) % dd_bucket_count];
        if (bucket->pages == pages) return bucket;
        if (bucket->pages == 0) {
            if (!create) return NULL;
            bucket->pages = pages;
            return bucket;
        }
    }
    return NULL;
}

static size_t dd_pages(size_t bytes) { return (bytes + dd_page - 1) / dd_page; }

void *dd_buffer_acquire(size_t bytes) {
    if (bytes < dd_small_limit) {
        return aligned_alloc(64, (bytes + 63) / 64 * 64 + 64 * (bytes == 0));
    }
    const size_t pages = dd_pages(bytes), size = pages * dd_page;
    pthread_mutex_lock(&dd_lock);
    dd_bucket *bucket = dd_find(pages, 0);
    void *buffer = bucket ? bucket->head : NULL;
    if (buffer) {
        bucket->head = *(void **)buffer;
        dd_cached -= size;
    }
    dd_live += size;
    if (dd_live > dd_peak_live) dd_peak_live = dd_live;
    pthread_mutex_unlock(&dd_lock);
    if (buffer) return buffer;
    buffer = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buffer == MAP_FAILED) {
        pthread_mutex_lock(&dd_lock);
        dd_live -= size;
        pthread_mutex_unlock(&dd_lock);
        return NULL;
    }
    return buffer;
}

void dd_buffer_release(void *buffer, size_t bytes) {
    if (buffer == NULL) return;
    if (bytes < dd_small_limit) {
        free(buffer);
        return;
    }
    const size_t pages = dd_pages(bytes), size = pages * dd_page;
    pthread_mutex_lock(&dd_lock);
    dd_live -= size;
    // Cache at most as much as the most ever in use at once: a steady loop needs no more, and
    // sizes that stop recurring cannot pile up beyond that.
    dd_bucket *bucket = dd_cached + size <= dd_peak_live ? dd_find(pages, 1) : NULL;
    if (bucket) {
        *(void **)buffer = bucket->head;
        bucket->head = buffer;
        dd_cached += size;
    }
    pthread_mutex_unlock(&dd_lock);
    if (!bucket) munmap(buffer, size);
}

void dd_buffer_statistics(size_t *live, size_t *peak_live, size_t *cached) {
    pthread_mutex_lock(&dd_lock);
    *live = dd_live;
    *peak_live = dd_peak_live;
    *cached = dd_cached;
    pthread_mutex_unlock(&dd_lock);
}

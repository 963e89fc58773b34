// Tensor buffers: large ones come from mmap and are kept after release in per-size free lists,
// so a training loop — the same sizes freed and requested every step — reuses them without a
// page fault and without fragmenting the malloc heap. See TensorStorage.swift.
#include "CDendrite.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

enum { dd_small_limit = 64 * 1024, dd_page = 4096, dd_bucket_count = 1024 };

// A cached buffer's first bytes: its links in its size's list and in the list of all cached
// buffers by age (oldest evicted first: sizes that stopped recurring age out).
typedef struct dd_cached_buffer {
    struct dd_cached_buffer *bucket_prev, *bucket_next, *older, *newer;
    size_t pages;
} dd_cached_buffer;

// One list per size in pages (open addressing; pages 0 marks an unused slot).
typedef struct { size_t pages; dd_cached_buffer *head; } dd_bucket;

static pthread_mutex_t dd_lock = PTHREAD_MUTEX_INITIALIZER;
static dd_bucket dd_buckets[dd_bucket_count];
static dd_cached_buffer *dd_newest, *dd_oldest;
static size_t dd_live, dd_peak_live, dd_cached;   // bytes of large buffers

static dd_bucket *dd_find(size_t pages, int create) {
    const size_t slot = (size_t)((pages * 0x9E3779B97F4A7C15ull) >> 54);   // 10 bits: dd_bucket_count
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

// Unlinks a cached buffer from both lists (the lock is held).
static void dd_unlink(dd_bucket *bucket, dd_cached_buffer *buffer) {
    if (buffer->bucket_prev) buffer->bucket_prev->bucket_next = buffer->bucket_next; else bucket->head = buffer->bucket_next;
    if (buffer->bucket_next) buffer->bucket_next->bucket_prev = buffer->bucket_prev;
    if (buffer->newer) buffer->newer->older = buffer->older; else dd_newest = buffer->older;
    if (buffer->older) buffer->older->newer = buffer->newer; else dd_oldest = buffer->newer;
    dd_cached -= buffer->pages * dd_page;
}

void *dd_buffer_acquire(size_t bytes) {
    if (bytes < dd_small_limit) {
        return aligned_alloc(64, bytes == 0 ? 64 : (bytes + 63) / 64 * 64);
    }
    const size_t pages = dd_pages(bytes), size = pages * dd_page;
    pthread_mutex_lock(&dd_lock);
    dd_bucket *bucket = dd_find(pages, 0);
    dd_cached_buffer *cached = bucket ? bucket->head : NULL;
    if (cached) dd_unlink(bucket, cached);
    dd_live += size;
    if (dd_live > dd_peak_live) dd_peak_live = dd_live;
    pthread_mutex_unlock(&dd_lock);
    if (cached) return cached;
    void *buffer = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buffer == MAP_FAILED) {
        pthread_mutex_lock(&dd_lock);
        dd_live -= size;
        pthread_mutex_unlock(&dd_lock);
        return NULL;
    }
    return buffer;
}

void dd_buffer_release(void *pointer, size_t bytes) {
    if (pointer == NULL) return;
    if (bytes < dd_small_limit) {
        free(pointer);
        return;
    }
    const size_t pages = dd_pages(bytes), size = pages * dd_page;
    // Buffers evicted to make room, unmapped after the lock is released (at most a few).
    dd_cached_buffer *evicted[16];
    int evictions = 0;
    pthread_mutex_lock(&dd_lock);
    dd_live -= size;
    // Keep at most twice the most ever in use at once, evicting the oldest cached buffers. A
    // steady loop needs more than the peak itself: each size's own peak count must stay cached,
    // and those peaks fall at different moments (forward and backward), so their sum exceeds the
    // peak of all sizes together.
    const size_t cap = 2 * dd_peak_live;
    dd_bucket *bucket = size <= cap ? dd_find(pages, 1) : NULL;
    while (bucket && dd_cached + size > cap && dd_oldest && evictions < 16) {
        dd_cached_buffer *oldest = dd_oldest;
        dd_unlink(dd_find(oldest->pages, 0), oldest);
        evicted[evictions++] = oldest;
    }
    if (bucket && dd_cached + size <= cap) {
        dd_cached_buffer *buffer = pointer;
        buffer->pages = pages;
        buffer->bucket_prev = NULL;
        buffer->bucket_next = bucket->head;
        if (bucket->head) bucket->head->bucket_prev = buffer;
        bucket->head = buffer;
        buffer->older = dd_newest;
        buffer->newer = NULL;
        if (dd_newest) dd_newest->newer = buffer; else dd_oldest = buffer;
        dd_newest = buffer;
        dd_cached += size;
        pointer = NULL;
    }
    pthread_mutex_unlock(&dd_lock);
    for (int i = 0; i < evictions; ++i) munmap(evicted[i], evicted[i]->pages * dd_page);
    if (pointer) munmap(pointer, size);
}

void dd_buffer_statistics(size_t *live, size_t *peak_live, size_t *cached) {
    pthread_mutex_lock(&dd_lock);
    *live = dd_live;
    *peak_live = dd_peak_live;
    *cached = dd_cached;
    pthread_mutex_unlock(&dd_lock);
}

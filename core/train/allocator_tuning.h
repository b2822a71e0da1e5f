#pragma once

namespace tl {

/// Makes glibc's malloc keep the memory a training step frees for the next
/// step. By default it returns large freed blocks to the kernel (blocks over
/// its mmap threshold are unmapped, and a heap whose free top grows past the
/// trim threshold is trimmed), so each step maps the same activation and
/// gradient buffers afresh and page-faults on every page of them. Fixing the
/// mmap threshold at its 32 MiB maximum and the trim threshold at 1 GiB keeps
/// them mapped (tests/bench measures the page faults and the speed saved; see
/// the README's Performance section). Process-wide and idempotent.
///
/// Leaves malloc as it is when the user tuned it (MALLOC_MMAP_THRESHOLD_,
/// MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES set) and where malloc is not
/// glibc's. Returns whether it changed the settings.
bool keep_freed_memory_for_reuse();

/// Gives the free memory malloc kept back to the kernel (malloc_trim); the
/// Trainer calls it when a run ends, so an idle app holds no step buffers.
void release_kept_memory();

}  // namespace tl

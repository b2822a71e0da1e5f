#pragma once

#include <string>

namespace tl {

/// Writes `contents` to `path` through a temporary file in the same directory
/// and a rename, so readers see the old file or the new one, never half of
/// one. Throws naming the path when the directory is not writable or the disk
/// is full; the temporary file is removed then.
void write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace tl

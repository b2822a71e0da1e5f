// Anchor for the shared precompiled header (torch + json); holds no code.

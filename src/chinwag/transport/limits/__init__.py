"""Rate and socket limits: token buckets; per-user limits in this process or through Redis."""

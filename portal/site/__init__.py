"""The static candidate site: `portal build` and publishing it safely."""

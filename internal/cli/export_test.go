package cli

// LockedBuffer is a writer the command writes from its goroutine while an outside test reads it.
type LockedBuffer = lockedBuffer

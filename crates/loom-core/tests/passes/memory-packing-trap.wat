;; loom: --pass memory-packing
;; Segment 1 ends past the memory's initial size: instantiation traps there,
;; after segment 0 was written. Nothing is trimmed (segment 0's zeros stay
;; too), so the trap and everything before it stay the same.
(module
  (memory 1)
  (data (i32.const 16) "\00\00\01\02\00\00")
  (data (i32.const 65535) "\00\00"))

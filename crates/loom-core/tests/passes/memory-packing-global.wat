;; loom: --pass memory-packing
;; Segment 1's offset is an imported global: it may not fit, so nothing is
;; trimmed, not even segment 0's zeros.
(module
  (import "env" "base" (global i32))
  (memory 1)
  (data (i32.const 16) "\00\00\01\02\00\00")
  (data (global.get 0) "\00\01"))

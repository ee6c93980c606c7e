;; loom: --zero-filled-memory --pass memory-packing
;; With --zero-filled-memory the imported memory is known to be zero too:
;; its segment is trimmed to "\01\02" at 18, like the defined memories'.
(module
  (import "env" "memory" (memory 1))
  (memory $defined 1)
  (memory $wide i64 1)
  ;; imported memory 0
  (data (i32.const 16) "\00\00\01\02\00\00")
  ;; defined memory 1
  (data (memory $defined) (i32.const 16) "\00\00\03\04\00\00")
  ;; defined 64-bit memory 2: a split at a large offset
  (data (memory $wide) (i64.const 40000) "\05\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\06\00"))

;; loom: --pass memory-packing
;; An imported memory may hold anything at instantiation: its segments stay
;; whole. Memories the module defines (32- and 64-bit) are trimmed, and the
;; 64-bit one's 22-zero interior run splits it ("\05" at 40000, "\06" at 40023).
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

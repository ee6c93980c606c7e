;; loom: --pass remove-unused-module-elements --pass memory-packing
;; Data indices already renumbered by an earlier pass: the unused passive
;; segment 0 is removed first, then segment 1's split-off piece is appended
;; after the others, and data.drop (now of segment 0) and the data count
;; follow.
(module
  (memory 1)
  (data "\ff")
  (data (i32.const 100) "\03\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\04")
  (data "\01\02")
  (func (export "drop") (data.drop 1) (data.drop 2)))

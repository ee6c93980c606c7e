;; loom: --pass local-cse
;; New locals are priced at the index the first one gets, not one by one:
;; with 126 locals, the three trees below each pay off at a one-byte index
;; (access 2 bytes) and all three get a local in one run. Priced one by one,
;; the third (index 128, access 3 bytes) did not, and was left for the next
;; run: esbuild's functions with many locals kept changing for 20 rounds.
(module
  (func (export "many_locals") (param $x i32) (param $y i32) (result i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (i32.add
      (i32.add
        (i32.add (i32.mul (local.get $x) (i32.const 100000)) (i32.mul (local.get $x) (i32.const 100000)))
        (i32.add (i32.mul (local.get $y) (i32.const 100000)) (i32.mul (local.get $y) (i32.const 100000))))
      (i32.add (i32.mul (local.get $x) (i32.const 200000)) (i32.mul (local.get $x) (i32.const 200000))))))

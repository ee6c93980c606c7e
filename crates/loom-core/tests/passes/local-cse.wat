;; loom: --pass local-cse
;; A repeated tree that only reads state is computed once into a new local
;; (tee at the first, get at the others) where that is smaller.
(module
  (global $g (mut i32) (i32.const 0))
  (memory 1)
  (tag $e)
  (func $call (result i32) (global.get $g))
  (func (export "basic") (param $x i32) (param $y i32) (result i32)
    ;; the second tree is replaced by a read of the first's value
    (i32.add
      (i32.mul (i32.add (local.get $x) (i32.const 1000)) (local.get $y))
      (i32.mul (i32.add (local.get $x) (i32.const 1000)) (local.get $y))))
  (func (export "too_small") (param $x i32) (result i32)
    ;; two bytes-cheap trees: a local would not pay off; unchanged
    (i32.add
      (i32.add (local.get $x) (i32.const 1))
      (i32.add (local.get $x) (i32.const 1))))
  (func (export "three_small") (param $x i32) (result i32)
    ;; three occurrences of a five-byte tree pay off
    (global.set $g (i32.add (local.get $x) (i32.const 1000)))
    (global.set $g (i32.add (local.get $x) (i32.const 1000)))
    (i32.add (local.get $x) (i32.const 1000)))
  (func (export "local_written") (param $x i32) (result i32)
    (global.set $g (i32.mul (i32.add (local.get $x) (i32.const 1000)) (i32.const 3000)))
    ;; $x changes: unchanged
    (local.set $x (i32.const 5))
    (i32.mul (i32.add (local.get $x) (i32.const 1000)) (i32.const 3000)))
  (func (export "global_reads") (result i32)
    (global.set $g (i32.mul (i32.add (global.get $g) (i32.const 1000)) (i32.const 3000)))
    ;; the global changed: unchanged
    (drop (i32.mul (i32.add (global.get $g) (i32.const 1000)) (i32.const 3000)))
    (drop (i32.mul (i32.add (global.get $g) (i32.const 1000)) (i32.const 3000)))
    ;; but the two above are equal: the second reads the first's value
    ;; a call may change globals: unchanged after it
    (drop (call $call))
    (i32.mul (i32.add (global.get $g) (i32.const 1000)) (i32.const 3000)))
  (func (export "loads") (param $p i32) (result i32)
    (drop (i32.add (i32.load offset=1000 (local.get $p)) (i32.const 7000)))
    ;; no store in between: reused
    (drop (i32.add (i32.load offset=1000 (local.get $p)) (i32.const 7000)))
    (i32.store (local.get $p) (i32.const 0))
    ;; a store in between: unchanged
    (i32.add (i32.load offset=1000 (local.get $p)) (i32.const 7000)))
  (func (export "traps") (param $x i32) (param $y i32) (result i32)
    ;; a division that did not trap will not trap again on the same values
    (i32.add
      (i32.div_s (i32.add (local.get $x) (i32.const 1000)) (local.get $y))
      (i32.div_s (i32.add (local.get $x) (i32.const 1000)) (local.get $y))))
  (func (export "calls_never") (result i32)
    ;; calls are never reused
    (i32.add
      (i32.add (call $call) (i32.const 100000))
      (i32.add (call $call) (i32.const 100000))))
  (func (export "nested_body") (param $x i32) (param $c i32) (result i32)
    (global.set $g (i32.mul (local.get $x) (i32.const 100000)))
    ;; dominated by the first: reused inside the if
    (if (local.get $c)
      (then (global.set $g (i32.mul (local.get $x) (i32.const 100000)))))
    (if (local.get $c)
      (then (global.set $g (i32.mul (local.get $x) (i32.const 200000))))
      (else (global.set $g (i32.mul (local.get $x) (i32.const 300000)))))
    ;; computed only in an arm: not reused after the if
    (i32.mul (local.get $x) (i32.const 200000)))
  (func (export "loop") (param $x i32) (param $n i32) (result i32)
    (global.set $g (i32.mul (local.get $x) (i32.const 100000)))
    (loop $l
      ;; $x is written later in the loop: the value from before the loop
      ;; is not reused here
      (global.set $g (i32.mul (local.get $x) (i32.const 100000)))
      ;; but within one iteration it is
      (global.set $g (i32.mul (local.get $x) (i32.const 100000)))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $x))
  (func (export "branch_between") (param $x i32) (result i32)
    (block $b
      (global.set $g (i32.mul (local.get $x) (i32.const 100000)))
      (br_if $b (local.get $x))
      ;; still dominated by the first after a conditional branch: reused
      (global.set $g (i32.mul (local.get $x) (i32.const 100000))))
    (i32.const 0))
  (func (export "try") (param $x i32) (result i32)
    try
      (global.set $g (i32.mul (local.get $x) (i32.const 100000)))
      (drop (call $call))
    catch_all
      ;; the try body may not have got that far: unchanged
      (global.set $g (i32.mul (local.get $x) (i32.const 100000)))
    end
    (i32.const 0))
  (func (export "floats") (param $a f64) (result f64)
    (f64.add
      (f64.mul (local.get $a) (f64.const 3.5))
      (f64.mul (local.get $a) (f64.const 3.5))))
  (func (export "multi_value") (param $x i32) (result i32 i32)
    ;; each value of a multi-value result is its own tree
    (i32.mul (local.get $x) (i32.const 100000))
    (i32.mul (local.get $x) (i32.const 100000)))
  (func (export "extreme_constants") (param $x i64) (result i64)
    ;; the most negative i64 costs 10 bytes; its size estimate must not
    ;; overflow (found by the differential fuzzer in a debug build)
    (i64.add
      (i64.xor (local.get $x) (i64.const -9223372036854775808))
      (i64.xor (local.get $x) (i64.const -9223372036854775808))))
)

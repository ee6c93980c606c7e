;; loom: --pass merge-locals
;; After a copy $a = $b, reads of one may read the other where both hold
;; the copied value; only whole sets of reads move (so a live range ends).
(module
  (global $g (mut i32) (i32.const 0))
  (tag $e)
  (func $call (result i32) (global.get $g))
  (func (export "source_dies") (param $b i32) (result i32)
    (local $a i32)
    (local.set $a (local.get $b))
    ;; both reads of $b become reads of $a: $b dies at the copy
    (global.set $g (local.get $b))
    (i32.add (local.get $a) (local.get $b)))
  (func (export "copy_dies") (param $b i32) (result i32)
    (local $a i32)
    (local.set $a (local.get $b))
    (global.set $g (local.get $a))
    ;; $a is overwritten; the read of $b after it cannot read $a, so
    ;; instead the read of $a above reads $b (the copy is then dead)
    (local.set $a (i32.const 1))
    (i32.add (local.get $a) (local.get $b)))
  (func (export "only_copy_side") (param $b i32) (result i32)
    (local $a i32)
    (local.set $a (local.get $b))
    ;; this read of $a sees the copied value while $b does too: reads $b
    (global.set $g (local.get $a))
    (local.set $a (i32.const 1))
    ;; $a no longer holds it: this read of $b stays
    (global.set $g (local.get $b))
    (local.set $b (i32.const 2))
    (i32.add (local.get $a) (local.get $b)))
  (func (export "both_written") (param $b i32) (param $c i32)
    (local $a i32)
    (local.set $a (local.get $b))
    (if (local.get $c)
      (then
        (local.set $a (i32.const 1))
        ;; $a differs here
        (global.set $g (local.get $b)))
      (else
        (local.set $b (i32.const 2))
        ;; $b differs here: neither direction covers all reads, unchanged
        (global.set $g (local.get $a)))))
  (func (export "branches") (param $b i32) (param $c i32) (result i32)
    (local $a i32)
    (local.set $a (local.get $b))
    (block $out
      (br_if $out (local.get $c))
      (local.set $b (i32.const 5)))
    ;; $b may be 5 here: its read cannot read $a, nor $a's read $b:
    ;; unchanged
    (i32.add (local.get $a) (local.get $b)))
  (func (export "if_arms") (param $b i32) (param $c i32) (result i32)
    (local $a i32)
    (local.set $a (local.get $b))
    (if (local.get $c)
      (then (global.set $g (local.get $b)))
      (else (global.set $g (i32.add (local.get $b) (i32.const 1)))))
    ;; all three reads of $b see the copied value: all read $a
    (local.get $b))
  (func (export "loop") (param $b i32) (param $n i32) (result i32)
    (local $a i32)
    (local.set $a (local.get $b))
    (loop $l
      ;; $a and $b are not written in the loop: equal in every iteration
      (global.set $g (local.get $b))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $b))
  (func (export "loop_written") (param $b i32) (param $n i32) (result i32)
    (local $a i32)
    (local.set $a (local.get $b))
    (loop $l
      ;; $b changes in the loop: from the second iteration on it differs
      ;; from $a, so nothing here can change
      (global.set $g (local.get $b))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $a))
  (func (export "tee_copy") (param $b i32) (result i32)
    (local $a i32)
    ;; a tee is a copy too
    (global.set $g (local.tee $a (local.get $b)))
    (call $call)
    (drop)
    (i32.mul (local.get $b) (local.get $a)))
  (func (export "try_catch") (param $b i32) (result i32)
    (local $a i32)
    (local.set $a (local.get $b))
    try
      (drop (call $call))
      (local.set $b (i32.const 3))
    catch_all
      ;; the throw may come before or after $b is written: unchanged
      (global.set $g (local.get $b))
    end
    (local.get $a))
  (func (export "types_differ") (param $b i64) (result i64)
    (local $a i64)
    (local $f f64)
    (local.set $a (local.get $b))
    ;; i64 copies work like i32 ones
    (i64.add (local.get $b) (local.get $b)))
)

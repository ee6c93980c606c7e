;; loom: --pass redundant-set-elimination
;; A set goes when the local already holds the value on every path.
(module
  (global $g (mut i32) (i32.const 0))
  (tag $e)
  (func $call (result i32) (global.get $g))
  (elem declare func $call)
  (func (export "zero_init") (result i32)
    (local $i i32)
    ;; declared locals start at zero: this set goes
    (local.set $i (i32.const 0))
    ;; a different constant stays; setting it again goes
    (local.set $i (i32.const 7))
    (local.set $i (i32.const 7))
    (local.get $i))
  (func (export "params") (param $p i32) (result i32)
    ;; a parameter's value is unknown: this set stays
    (local.set $p (i32.const 0))
    ;; now it is known
    (local.set $p (i32.const 0))
    (local.get $p))
  (func (export "copies") (param $p i32) (result i32)
    (local $a i32)
    (local $b i32)
    (local.set $a (local.get $p))
    (local.set $b (local.get $a))
    ;; $a already equals $b: goes
    (local.set $a (local.get $b))
    ;; a tee of the value already held becomes the value; the set of its
    ;; result goes too ($p equals $a)
    (local.set $p (local.tee $a (local.get $b)))
    ;; the same integer operation on the same values: goes
    (local.set $b (i32.add (local.get $a) (i32.const 1)))
    (local.set $b (i32.add (local.get $p) (i32.const 1)))
    ;; a call changes no local: goes
    (drop (call $call))
    (local.set $a (local.get $p))
    ;; a value with effects is kept as a drop (the tee of $b stays)
    (local.set $a (local.tee $b (local.get $p)))
    ;; calls give unknown values: stays
    (local.set $a (call $call))
    (local.set $a (call $call))
    (i32.add (local.get $a) (local.get $b)))
  (func (export "if_merge") (param $c i32) (result i32)
    (local $x i32)
    (local $y i32)
    (if (local.get $c)
      (then (local.set $x (i32.const 1)))
      (else (local.set $x (i32.const 1))))
    ;; both arms agree: goes
    (local.set $x (i32.const 1))
    (if (local.get $c) (then (local.set $y (i32.const 2))))
    ;; only one arm set it: stays
    (local.set $y (i32.const 2))
    (i32.add (local.get $x) (local.get $y)))
  (func (export "branch_out") (param $c i32) (result i32)
    (local $x i32)
    (block $out
      (local.set $x (i32.const 5))
      ;; the branch carries $x = 5
      (br_if $out (local.get $c))
      (local.set $x (i32.const 6)))
    ;; 5 or 6: stays
    (local.set $x (i32.const 6))
    (block $out2
      (br_if $out2 (local.get $c))
      (local.set $x (i32.const 6)))
    ;; 6 on both paths: goes
    (local.set $x (i32.const 6))
    (local.get $x))
  (func (export "loop_invariant") (param $n i32)
    (local $i i32)
    (local $k i32)
    (local.set $k (i32.const 3))
    (loop $l
      ;; $k is 3 on entry and on the back edge: goes (after $i, which
      ;; the back edge changes, is found unknown at the header)
      (local.set $k (i32.const 3))
      ;; $i changes in the loop: stays
      (local.set $i (i32.const 0))
      (local.set $i (i32.add (local.get $i) (local.get $n)))
      (br_if $l (local.get $i))))
  (func (export "loop_carried") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      ;; the back edge brings $i = 1: stays (only the first entry has 0)
      (local.set $i (i32.const 0))
      (global.set $g (local.get $i))
      (local.set $i (i32.const 1))
      (br_if $l (local.get $n)))
    (local.get $i))
  (func (export "nested_loops") (param $n i32) (result i32)
    (local $x i32)
    (local $j i32)
    (loop $outer
      (loop $inner
        ;; $x is 0 at both headers on every path: goes
        (local.set $x (i32.const 0))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $n))))
      (br_if $outer (local.get $n)))
    (local.get $x))
  (func (export "br_table") (param $c i32) (result i32)
    (local $x i32)
    (block $a
      (block $b
        (local.set $x (i32.const 9))
        (br_table $a $b $a (local.get $c)))
      ;; only the br_table gets here, with $x = 9: goes
      (local.set $x (i32.const 9)))
    ;; 9 on all paths: goes
    (local.set $x (i32.const 9))
    (local.get $x))
  (func (export "legacy_try") (result i32)
    (local $x i32)
    (local $y i32)
    (local.set $x (i32.const 1))
    try
      (local.set $x (i32.const 2))
      (drop (call $call))
      (local.set $x (i32.const 1))
    catch_all
      ;; the throw may have come between the two sets: stays
      (local.set $x (i32.const 1))
      ;; $y is not written in the try body: still 0, goes
      (local.set $y (i32.const 0))
    end
    ;; 1 after both the body and the handler: goes
    (local.set $x (i32.const 1))
    (local.get $x))
  (func (export "try_table") (result i32)
    (local $x i32)
    (block $caught
      (try_table (catch_all $caught)
        (local.set $x (i32.const 2))
        (throw $e))
      ;; never reached: this analysis keeps it
      (local.set $x (i32.const 2)))
    ;; the throw may happen after the set or, for all this analysis knows,
    ;; before it: stays
    (local.set $x (i32.const 2))
    (local.get $x))
  (func (export "unreachable_code") (param $c i32) (result i32)
    (local $x i32)
    (block $b
      (br_if $b (local.get $c))
      (local.set $x (i32.const 4))
      (return (local.get $x)))
    ;; only the branch reaches here, with $x = 0: goes
    (local.set $x (i32.const 0))
    (local.get $x))
  (func (export "multi_value") (result i32 i32)
    (local $a i32)
    (local $b i32)
    (local.set $a (i32.const 1))
    (local.set $b (i32.const 2))
    ;; a multi-value block result stored into both: unknown values
    (block (result i32 i32) (local.get $b) (local.get $a))
    (local.set $a)
    (local.set $b)
    ;; stays
    (local.set $a (i32.const 1))
    (local.get $a) (local.get $b))
  (func (export "non_nullable") (result funcref)
    (local $f (ref func))
    (block (local.set $f (ref.func $call)))
    ;; known to be the same value, but the validator needs this set to see
    ;; $f initialized: stays
    (local.set $f (ref.func $call))
    (local.get $f))
  (func (export "null_ref") (result externref)
    (local $r externref)
    ;; nullable references start null: goes
    (local.set $r (ref.null extern))
    (local.get $r))
)

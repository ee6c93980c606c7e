;; loom: --pass precompute-propagate
;; Reads of locals that see one constant on every path become it (where
;; that pays: the constant is no larger than the read, or its user folds,
;; or it is a condition), then everything folds again. Parameters vary
;; until set.
(module
  (global $g (mut i32) (i32.const 0))
  (tag $e (param i32))
  (func $effect (result i32) (global.set $g (i32.const 1)) (i32.const 2))

  ;; a chain of constants through locals folds away entirely
  (func (export "chain") (result i32)
    (local $a i32) (local $b i32)
    (local.set $a (i32.const 20))
    (local.set $b (i32.add (local.get $a) (i32.const 1)))
    (i32.mul (local.get $b) (i32.const 2)))
  ;; declared locals start at zero; the integer reads become 0; the float
  ;; zeros are larger than the reads and fold nothing: they stay reads
  (func (export "zero_init") (result i32 i64 f32 f64)
    (local $i i32) (local $l i64) (local $f f32) (local $d f64)
    (local.get $i) (local.get $l) (local.get $f) (local.get $d))
  ;; parameters are never constant, even if never set
  (func (export "param") (param $p i32) (result i32)
    (local.get $p))
  ;; a parameter set to a constant is constant after the set
  (func (export "param_set") (param $p i32) (result i32)
    (local.set $p (i32.const 3))
    (local.get $p))
  ;; set on one path only: the read after the join stays
  (func (export "param_set_one_path") (param $p i32) (param $c i32) (result i32)
    (if (local.get $c) (then (local.set $p (i32.const 3))))
    (local.get $p))
  ;; the same constant on both arms: constant after the if
  (func (export "join_same") (param $c i32) (result i32)
    (local $x i32)
    (if (local.get $c)
      (then (local.set $x (i32.const 7)))
      (else (local.set $x (i32.const 7))))
    (local.get $x))
  ;; different constants: the read stays
  (func (export "join_different") (param $c i32) (result i32)
    (local $x i32)
    (if (local.get $c) (then (local.set $x (i32.const 7))))
    (local.get $x))
  ;; a branch out of a block brings its state to the block's end
  (func (export "branch_carries") (param $c i32) (result i32)
    (local $x i32)
    (local.set $x (i32.const 1))
    (block $b
      (br_if $b (local.get $c))
      (local.set $x (i32.const 2)))
    (local.get $x))
  ;; a local set in the loop to another constant is not constant in it
  (func (export "loop_varies") (param $n i32) (result i32)
    (local $i i32)
    (local.set $i (i32.const 0))
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  ;; set to the same constant again in the loop: constant everywhere
  (func (export "loop_same") (param $n i32) (result i32)
    (local $k i32)
    (local.set $k (i32.const 5))
    (loop $l
      (local.set $k (i32.const 5))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (local.get $k)))))
    (local.get $k))
  ;; the back edge changes the local only on the second trip round
  (func (export "loop_late") (param $n i32) (result i32)
    (local $a i32) (local $b i32)
    (loop $l
      (local.set $b (local.get $a))
      (local.set $a (i32.const 1))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $b))
  ;; a constant condition found through a local removes the other arm,
  ;; then the local read after it is constant (a second round)
  (func (export "rounds") (result i32)
    (local $c i32) (local $x i32)
    (local.set $c (i32.const 0))
    (local.set $x (i32.const 4))
    (if (local.get $c) (then (local.set $x (call $effect))))
    (local.get $x))
  ;; br_if and br_table on a propagated constant; the label is targeted
  ;; from inside the arm that is kept
  (func (export "br_if_table") (result i32)
    (local $k i32)
    (local.set $k (i32.const 1))
    (block $c (br_if $c (local.get $k)) (unreachable))
    (block $a
      (block $b
        (br_table $b $a (local.get $k)))
      (return (i32.const 8)))
    (i32.const 9))
  ;; every point of a try body may throw: the handler sees both values
  (func (export "try_catch") (result i32)
    (local $x i32)
    try
      (local.set $x (i32.const 1))
      (drop (call $effect))
      (local.set $x (i32.const 2))
    catch $e
      (drop)
      (return (local.get $x))
    end
    (local.get $x))
  ;; the handler sees only one value: constant there
  (func (export "try_catch_same") (result i32)
    (local $x i32)
    (local.set $x (i32.const 3))
    try
      (drop (call $effect))
    catch_all
      (return (local.get $x))
    end
    (local.get $x))
  ;; try_table catches branch to their label with what the body held
  (func (export "try_table") (result i32)
    (local $x i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (local.set $x (i32.const 1))
        (drop (call $effect))
        (local.set $x (i32.const 2)))
      (return (local.get $x)))
    (drop)
    (local.get $x))
  ;; multi-value stores through a block, and a tee's value
  (func (export "multi") (result i32 i32)
    (local $a i32) (local $b i32)
    (block (result i32 i32) (i32.const 1) (i32.const 2))
    (local.set $b)
    (local.set $a)
    (i32.add (local.tee $a (i32.const 10)) (local.get $a))
    (local.get $b))
  ;; code that never runs is left as it is
  (func (export "unreachable_code") (result i32)
    (local $x i32)
    (local.set $x (i32.const 1))
    (return (local.get $x))
    (local.get $x))
  ;; a store computed by an operation that traps varies (and stays)
  (func (export "trapping_store") (result i32)
    (local $x i32)
    (local.set $x (i32.div_u (i32.const 1) (i32.const 0)))
    (local.get $x))
  ;; NaN and -0.0 constants travel bit-exactly (neg keeps NaN bits: -0 + 0
  ;; is +0 with round-to-nearest)
  (func (export "float_bits") (result f32 f64)
    (local $f f32) (local $d f64)
    (local.set $f (f32.const -nan:0x1))
    (local.set $d (f64.const -0))
    (f32.neg (local.get $f)) (f64.add (local.get $d) (f64.const 0)))
  ;; a large constant where nothing folds stays a read (it would grow the
  ;; code); where its user folds it goes
  (func (export "large_constant") (param $p i32) (result i32 i32)
    (local $x i32)
    (local.set $x (i32.const 0x12345678))
    (i32.add (local.get $p) (local.get $x))
    (i32.add (local.get $x) (i32.const 1)))
  ;; a local whose stores are all loads or calls keeps its reads, even the
  ;; one before its first store (it is not tracked)
  (func (export "untracked") (result i32)
    (local $x i32)
    (drop (local.get $x))
    (local.set $x (call $effect))
    (local.get $x))
)

;; loom: --pass coalesce-locals
;; Register allocation of locals. Declared locals are referred to by index
;; (the pass renumbers them, and the name section keeps input names).
(module
  (tag $e (param i32))
  (func $use (param i32))
  (elem declare func $use)
  (func $may_throw (result i32) (i32.const 7))

  ;; Locals 1 and 2 are live one after the other: they share one index.
  (func (export "sequential") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.add (local.get 0) (i32.const 1)))
    (call $use (local.get 1))
    (local.set 2 (i32.mul (local.get 0) (i32.const 2)))
    (local.get 2))

  ;; Both are live at once (1 is read after 2 is written): two indices.
  (func (export "overlapping") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (local.get 0))
    (local.set 2 (i32.const 5))
    (i32.add (local.get 1) (local.get 2)))

  ;; The copy 2 = 1 disappears: 1 and 2 hold the same value, so they
  ;; merge even though both are live across the copy; then 2 = 0 too
  ;; would be a copy of the parameter, but 0 is read after 1 is written.
  (func (export "copy") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.add (local.get 0) (i32.const 3)))
    (local.set 2 (local.get 1))
    (i32.add (local.get 2) (i32.add (local.get 1) (local.get 0))))

  ;; A declared local may join a parameter once the parameter is dead;
  ;; the copy from it then vanishes.
  (func (export "into_param") (param i32) (result i32)
    (local i32)
    (local.set 1 (local.get 0))
    (local.set 1 (i32.add (local.get 1) (i32.const 1)))
    (local.get 1))

  ;; Local 1 is read before any write (its zero): it must not share the
  ;; parameter's index although the parameter is never read.
  (func (export "zero_init") (param i32) (result i32)
    (local i32 i32)
    (local.set 2 (local.get 1))
    (local.set 0 (i32.const 9))
    (call $use (local.get 0))
    (local.get 2))

  ;; Types differ: no merge.
  (func (export "types") (result f64)
    (local i32 f64)
    (local.set 1 (f64.const 1))
    (call $use (i32.const 0))
    (local.set 0 (i32.const 2))
    (call $use (local.get 0))
    (local.get 1))

  ;; A value carried around a loop stays live across the back edge:
  ;; 1 (the counter) and 2 (written and read in each iteration) differ,
  ;; while 3, used only after the loop, can take 2's index.
  (func (export "loop") (param i32) (result i32)
    (local i32 i32 i32)
    (loop $l
      (local.set 2 (i32.mul (local.get 1) (i32.const 2)))
      (local.set 1 (i32.add (local.get 2) (local.get 1)))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
    (local.set 3 (i32.add (local.get 1) (i32.const 1)))
    (local.get 3))

  ;; 1 is live out of the block only along the branch: it must keep its
  ;; value while 2 is used inside, so they interfere.
  (func (export "branch_out") (param i32) (result i32)
    (local i32 i32)
    (block $b
      (local.set 1 (i32.const 1))
      (br_if $b (local.get 0))
      (local.set 2 (i32.const 2))
      (call $use (local.get 2))
      (local.set 1 (i32.const 3)))
    (local.get 1))

  ;; br_table to two labels: 1 is read after one of them, so it interferes
  ;; with 2 written before the branch.
  (func (export "br_table") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.const 4))
    (block $a
      (block $b
        (local.set 2 (i32.const 5))
        (call $use (local.get 2))
        (br_table $a $b (local.get 0)))
      (return (local.get 1)))
    (i32.const 0))

  ;; Writes never read are removed (the value is kept as a drop if it
  ;; has effects; a tee becomes its value).
  (func (export "dead_writes") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (call $may_throw))
    (local.set 2 (i32.const 1))
    (i32.add (local.tee 1 (local.get 0)) (i32.const 1)))

  ;; Legacy try: a throw from the call reaches the catch with 1 still
  ;; holding 10; 1 and 2 interfere, and the first write of 1 stays.
  (func (export "try_catch") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.const 10))
    try
      (local.set 2 (call $may_throw))
      (local.set 1 (local.get 2))
      (call $use (local.get 1))
    catch_all
      (call $use (local.get 1))
    end
    (local.get 1))

  ;; try_table: a throw goes to the catch label, where 1 is read.
  (func (export "try_table") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.const 10))
    (block $h
      (try_table (catch_all $h)
        (local.set 2 (call $may_throw))
        (call $use (local.get 2))
        (local.set 1 (i32.const 11)))
      (return (local.get 1)))
    (local.get 1))

  ;; Multi-value: the two values stored at once always interfere.
  (func (export "multi") (result i32)
    (local i32 i32 i32)
    (call $pair)
    (local.set 2)
    (local.set 1)
    (i32.sub (local.get 1) (local.get 2)))
  (func $pair (result i32 i32) (i32.const 1) (i32.const 2))

  ;; Unreachable code after a return keeps validating.
  (func (export "unreachable") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (local.get 0))
    (return (local.get 1))
    (local.set 2 (i32.const 1))
    (local.get 2))

  ;; A non-nullable reference local is left alone.
  (func (export "non_nullable") (param funcref) (result i32)
    (local (ref func) i32 i32)
    (local.set 1 (ref.func $use))
    (local.set 2 (i32.const 1))
    (call $use (local.get 2))
    (local.set 3 (i32.const 2))
    (drop (local.get 1))
    (local.get 3))
)

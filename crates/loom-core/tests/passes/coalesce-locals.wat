;; loom: --pass coalesce-locals
;; Register allocation of locals. Declared locals are referred to by index
;; (the pass renumbers them, and the name section keeps input names).
;; Most locals are read twice: a local set once and read once is left to
;; the writer, which keeps such a value on the operand stack instead.
(module
  (tag $e (param i32))
  (memory 1)
  (func $use (param i32))
  (elem declare func $use)
  (func $may_throw (result i32) (i32.const 7))

  ;; Locals 1 and 2 are live one after the other: they share one index,
  ;; the parameter's, which is dead by then.
  (func (export "sequential") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.add (local.get 0) (i32.const 1)))
    (call $use (local.get 1))
    (call $use (local.get 1))
    (local.set 2 (i32.const 2))
    (call $use (local.get 2))
    (local.get 2))

  ;; All three are live at once: three indices.
  (func (export "overlapping") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.const 4))
    (local.set 2 (i32.const 5))
    (call $use (local.get 1))
    (call $use (local.get 2))
    (i32.add (local.get 0) (i32.add (local.get 1) (local.get 2))))

  ;; The copy 2 = 1 disappears: after it 1 and 2 hold the same value, so
  ;; they merge although both are read later.
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
    (local.set 1 (i32.add (local.get 1) (local.get 1)))
    (local.get 1))

  ;; Local 1 is read before any write (its zero): it must not take the
  ;; parameter's index although the parameter is never read; 2 can.
  (func (export "zero_init") (param i32) (result i32)
    (local i32 i32)
    (call $use (local.get 1))
    (local.set 2 (i32.const 9))
    (call $use (local.get 2))
    (call $use (local.get 2))
    (local.get 1))

  ;; Types differ: no merge.
  (func (export "types") (param i32) (result f64)
    (local f64)
    (local.set 1 (f64.const 1))
    (call $use (i32.const 0))
    (local.set 0 (i32.const 2))
    (call $use (local.get 0))
    (call $use (local.get 0))
    (f64.add (local.get 1) (local.get 1)))

  ;; A value carried around a loop stays live across the back edge:
  ;; the counter 1 and the parameter (read in the loop) interfere. 2 is
  ;; written while 1 is dead (1 is overwritten before it is read again),
  ;; so 2 and 1 share an index; 3, used after the loop only, takes the
  ;; parameter's.
  (func (export "loop") (param i32) (result i32)
    (local i32 i32 i32)
    (loop $l
      (local.set 2 (i32.mul (local.get 1) (i32.const 2)))
      (local.set 1 (i32.add (local.get 2) (local.get 2)))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
    (local.set 3 (i32.add (local.get 1) (i32.const 1)))
    (i32.add (local.get 3) (local.get 3)))

  ;; 1 is live out of the block along the branch: 2, used inside after
  ;; the branch, interferes with it, but not with the parameter.
  (func (export "branch_out") (param i32) (result i32)
    (local i32 i32)
    (block $b
      (local.set 1 (i32.const 1))
      (br_if $b (local.get 0))
      (local.set 2 (i32.const 2))
      (call $use (local.get 2))
      (call $use (local.get 2))
      (local.set 1 (i32.const 3)))
    (local.get 1))

  ;; br_table to two labels: 1 is read after one of them, so it
  ;; interferes with 2, written before the branch.
  (func (export "br_table") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.const 4))
    (block $a
      (block $b
        (local.set 2 (i32.const 5))
        (call $use (local.get 2))
        (call $use (local.get 2))
        (br_table $a $b (local.get 0)))
      (return (local.get 1)))
    (i32.const 0))

  ;; Writes never read are removed (the value is kept as a drop; a tee
  ;; becomes its value).
  (func (export "dead_writes") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (call $may_throw))
    (local.set 2 (i32.const 1))
    (i32.add (local.tee 1 (local.get 0)) (i32.const 1)))

  ;; Legacy try: a throw from $may_throw reaches the catch with 1 still
  ;; holding 10, so 2 = the call must not overwrite it: 1 and 2 interfere
  ;; (the copy 1 = 2 alone would not make them).
  (func (export "try_catch") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.const 10))
    try
      (local.set 2 (call $may_throw))
      (call $use (local.get 2))
      (local.set 1 (local.get 2))
      (call $use (local.get 1))
    catch_all
      (call $use (local.get 1))
    end
    (local.get 1))

  ;; A throw in a try that delegates, or a rethrow from a catch, reaches
  ;; the outer catch, which reads 1: 2 and 3, written while 1 holds 10,
  ;; interfere with it (they may share an index with each other).
  (func (export "delegate_rethrow") (param i32) (result i32)
    (local i32 i32 i32)
    (local.set 1 (i32.const 10))
    try $outer
      try
        (local.set 2 (call $may_throw))
        (call $use (local.get 2))
        (call $use (local.get 2))
      delegate $outer
      try
        (call $use (call $may_throw))
      catch_all
        (local.set 3 (i32.const 3))
        (call $use (local.get 3))
        (call $use (local.get 3))
        rethrow 0
      end
      (local.set 1 (i32.const 11))
    catch_all
      (call $use (local.get 1))
    end
    (local.get 1))

  ;; try_table: a throw goes to the catch label, where 1 is read; 2,
  ;; written by the call inside, interferes with it.
  (func (export "try_table") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.const 10))
    (block $h
      (try_table (catch_all $h)
        (local.set 2 (call $may_throw))
        (call $use (local.get 2))
        (call $use (local.get 2))
        (local.set 1 (i32.const 11)))
      (return (local.get 1)))
    (local.get 1))

  ;; Multi-value: the values stored at once go to distinct locals (1
  ;; is never read: its write becomes a drop, the values stay in order).
  (func (export "multi") (result i32)
    (local i32 i32)
    (call $pair)
    (local.set 1)
    (local.set 0)
    (call $use (local.get 0))
    (call $use (local.get 0))
    (i32.const 0))
  (func $pair (result i32 i32) (i32.const 1) (i32.const 2))

  ;; Unreachable code after a return keeps validating.
  (func (export "unreachable") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (local.get 0))
    (return (i32.add (local.get 1) (local.get 1)))
    (local.set 2 (i32.const 1))
    (local.get 2))

  ;; A non-nullable reference local is left alone (it keeps a slot of its
  ;; own); 2 and 3 merge.
  (func (export "non_nullable") (param funcref) (result i32)
    (local (ref func) i32 i32)
    (local.set 1 (ref.func $use))
    (local.set 2 (i32.const 1))
    (call $use (local.get 2))
    (call $use (local.get 2))
    (local.set 3 (i32.const 2))
    (drop (local.get 1))
    (drop (local.get 1))
    (i32.add (local.get 3) (local.get 3)))

  ;; `local.set 2 (local.tee 1 ..)` copies 1 into 2 like a `local.get`
  ;; would: the two hold one value, do not interfere, and share an index;
  ;; the write then takes the tee's value directly (no tee left).
  (func (export "tee_copy") (param i32) (result i32)
    (local i32 i32)
    (local.set 2 (local.tee 1 (i32.add (local.get 0) (call $may_throw))))
    (call $use (local.get 1))
    (call $use (local.get 2))
    (i32.add (local.get 1) (local.get 2)))

  ;; The same through an outer tee: one tee is left.
  (func (export "tee_copy_tee") (param i32) (result i32)
    (local i32 i32)
    (call $use (local.tee 2 (local.tee 1 (i32.add (local.get 0) (call $may_throw)))))
    (call $use (local.get 1))
    (call $use (local.get 2))
    (i32.add (local.get 1) (local.get 2)))

  ;; 2 is written again while 1 is still live, but that is a new value of
  ;; 2 (a web of its own): the copied value and 1 share an index, and the
  ;; tee goes.
  (func (export "tee_copy_then_differ") (param i32) (result i32)
    (local i32 i32)
    (local.set 2 (local.tee 1 (i32.add (local.get 0) (call $may_throw))))
    (call $use (local.get 2))
    (local.set 2 (i32.add (local.get 2) (i32.const 1)))
    (call $use (local.get 1))
    (call $use (local.get 2))
    (i32.add (local.get 1) (local.get 2)))

  ;; The parameter's incoming value is never read, and its one use is a
  ;; value set and read once, which the writer keeps on the stack: that
  ;; value is a local of its own (a web), and local 2, live across it,
  ;; takes the parameter's index.
  (func (export "param_held_on_stack") (param i32 i32)
    (local i32)
    (local.set 2 (i32.load (local.get 0)))
    (local.set 1 (i32.load (local.get 2)))
    (i32.store (local.get 2) (i32.const 1))
    (if (local.get 1) (then (call $use (local.get 2))))
    (call $use (local.get 2))
    (call $use (local.get 0)))

  ;; Its incoming value is read on one path: it stays.
  (func (export "param_read_before_set") (param i32 i32)
    (local i32)
    (local.set 2 (i32.load (local.get 0)))
    (if (local.get 0) (then (call $use (local.get 1))))
    (local.set 1 (i32.load (local.get 2)))
    (i32.store (local.get 2) (i32.const 1))
    (if (local.get 1) (then (call $use (local.get 2))))
    (call $use (local.get 2))
    (call $use (local.get 0)))

  ;; Local 1 holds two unrelated values. The first is copied to 2, and 1
  ;; is written again while 2 is live: as one local, 1 and 2 interfere and
  ;; the copy stays. Split into webs, the first value and 2 share an index
  ;; (the copy goes) and the second value gets one of its own.
  (func (export "reused_local") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.load (local.get 0)))
    (local.set 2 (local.get 1))
    (local.set 1 (i32.load offset=4 (local.get 0)))
    (call $use (local.get 2))
    (call $use (local.get 1))
    (call $use (local.get 1))
    (i32.add (local.get 2) (local.get 1)))
;; The tee's value is copied into 3, which is set and read once (left
  ;; to the writer, which drops it). That copy cannot go, so it does not
  ;; put the tee's value first: 2's value, accessed first, takes the first
  ;; free index (parameter 0's, dead after its one read), as it does once
  ;; the writer has dropped 3 and the output is optimized again.
  (func (export "copy_to_stack_pair") (param i32 i32)
    (local i32 i32)
    (local.set 2 (i32.add (local.get 0) (i32.const 8)))
    (local.set 3 (local.tee 1 (i32.load (local.get 2))))
    (call $use (local.get 3))
    (call $use (local.get 2))
    (call $use (local.get 1))
    (call $use (local.get 2)))
)

;; loom: --pass reorder-locals
;; Most-used locals first, unused ones gone, types grouped where free.
;; Declared locals are referred to by index (the pass renumbers them).
(module
  (func $use (param i32))

  ;; 3 is used most, then 1; 2 is never used and goes. Parameter 0 stays.
  (func (export "by_count") (param i32) (result i32)
    (local i32 i32 i32)
    (local.set 1 (local.get 0))
    (local.set 3 (i32.const 1))
    (local.set 3 (i32.add (local.get 3) (local.get 1)))
    (i32.add (local.get 3) (local.get 3)))

  ;; Equal counts: the first used comes first (3 before 1).
  (func (export "ties") (result i32)
    (local i32 i32 i32 i32)
    (local.set 3 (i32.const 1))
    (local.set 1 (i32.const 2))
    (i32.add
      (i32.add (local.get 3) (local.get 1))
      (i32.add (local.get 1) (local.get 3))))

  ;; Equal counts, nested stores: the inner store runs first (2 before 1),
  ;; as the code is written, whatever the tree's shape.
  (func (export "ties_in_evaluation_order") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (i32.add (local.tee 2 (local.get 0)) (i32.const 1)))
    (call $use (local.get 2))
    (call $use (local.get 1))
    (i32.add (local.get 1) (local.get 2)))

  ;; i32 a, i64 b, i32 c by count: the two i32s go together (all indices
  ;; still take one byte), so one declaration run fewer.
  (func (export "grouped") (result i32)
    (local i32 i64 i32)
    (local.set 0 (i32.const 1))
    (local.set 0 (i32.add (local.get 0) (local.get 0)))
    (local.set 1 (i64.const 2))
    (local.set 1 (i64.add (local.get 1) (local.get 1)))
    (local.set 2 (i32.wrap_i64 (local.get 1)))
    (i32.add (local.get 0) (local.get 2)))

  ;; Already in order: unchanged.
  (func (export "in_order") (param i32) (result i32)
    (local i32)
    (local.set 1 (local.get 0))
    (local.get 1))
  ;; $rare and $often swap indices, so the name section's local names
  ;; would now be wrong: they are dropped (the output prints no $names)
  (func (export "named") (param $p i32) (result i32)
    (local $rare i32) (local $often i32)
    (local.set $rare (local.get $p))
    (local.set $often (i32.add (local.get $rare) (i32.const 1)))
    (local.set $often (i32.mul (local.get $often) (local.get $often)))
    (local.get $often))
)

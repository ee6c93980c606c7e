;; loom: --pass optimize-instructions
(module
  (memory $m32 1)
  (memory $m64 i64 1)
  ;; p & 0xffff is at most 0xffff: p + 16 cannot wrap -> offset=20.
  (func (export "load_added_constant_32") (param i32) (result i32)
    (i32.load offset=4 (i32.add (i32.and (local.get 0) (i32.const 0xffff)) (i32.const 16))))
  ;; An i64 address into memory64, bounded by extend_i32_u.
  (func (export "load_added_constant_64") (param i32) (result i64)
    (i64.load $m64 offset=8 (i64.add (i64.extend_i32_u (local.get 0)) (i64.const 8))))
  (func (export "store_added_constant_32") (param i32 i32)
    (i32.store8 (i32.add (i32.load8_u (local.get 0)) (i32.const 100)) (local.get 1)))
  (func (export "store_added_constant_64") (param i64 f64)
    (f64.store $m64 (i64.add (i64.shr_u (local.get 0) (i64.const 1)) (i64.const 24)) (local.get 1)))
  ;; Must NOT fire: p is unbounded, p + 16 may wrap to a small address.
  (func (export "load_unbounded_kept") (param i32) (result i32)
    (i32.load (i32.add (local.get 0) (i32.const 16))))
  ;; Must NOT fire: a negative constant wraps for any p > 0... (p - 4).
  (func (export "load_negative_kept") (param i32) (result i32)
    (i32.load (i32.add (i32.and (local.get 0) (i32.const 0xff)) (i32.const -4))))
  ;; Must NOT fire: the new offset would not fit 32 bits.
  (func (export "load_offset_overflow_kept") (param i32) (result i32)
    (i32.load offset=0xfffffff0 (i32.add (i32.and (local.get 0) (i32.const 0xff)) (i32.const 0x20))))
  ;; Must NOT fire: 0xffff + 0xffff0001 = 2^32 wraps.
  (func (export "load_bound_wraps_kept") (param i32) (result i32)
    (i32.load (i32.add (i32.and (local.get 0) (i32.const 0xffff)) (i32.const 0xffff0001))))
  ;; Constant addresses fold (the add wraps like the original).
  (func (export "load_constant_address") (result i32)
    (i32.load offset=4 (i32.add (i32.const 100) (i32.const 28))))
)

;; loom: --pass remove-unused-module-elements
;; Found by fuzzing (-O2 and up): an unused global whose initializer
;; allocates an array too large to allocate makes instantiation trap;
;; removing it made the module instantiate. Initializers that can fail
;; (array.new/array.new_default with a length that is not a small
;; constant) keep their global, table or element segment; small ones go.
(module
  (type $bytes (array (mut i8)))
  (global $huge (ref null $bytes) (array.new_default $bytes (i32.const -1984307157)))
  (global $computed (ref null $bytes)
    (array.new_default $bytes (i32.mul (i32.const 65536) (i32.const 65536))))
  (global $small (ref null $bytes) (array.new_default $bytes (i32.const 16)))
  (table $huge_table 1 (ref null $bytes) (array.new $bytes (i32.const 0) (i32.const 100000)))
  (elem $huge_elem (ref null $bytes) (item (array.new_default $bytes (i32.const 70000))))
  (elem $small_elem (ref null $bytes) (item (array.new_default $bytes (i32.const 7))))
  (func (export "f")))

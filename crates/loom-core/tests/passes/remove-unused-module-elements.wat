;; loom: --pass remove-unused-module-elements
;; Only what an export, an import, the start function or an active or
;; declarative segment reaches stays.
(module
  ;; imports stay, used or not: linking checks each of them
  (import "env" "unused" (func $unused_import))
  (import "env" "used" (func $used_import (param i32)))
  (import "env" "g" (global $unused_imported_global i32))
  (memory $mem 1)
  ;; a second memory nothing touches goes
  (memory $unused_memory 1)
  (table $table 2 funcref)
  (global $base i32 (i32.const 16))
  ;; read only by the initializer of $derived: stays with it
  (global $derived (mut i32) (global.get $base))
  (global $unused_global (mut i32) (i32.const 0))
  (tag $unused_tag)
  (tag $thrown)
  ;; active: instantiation writes it, so it and $in_table stay
  (elem (table $table) (i32.const 0) func $in_table)
  ;; passive and never used by table.init: goes, and with it $only_in_passive
  (elem $unused_passive func $only_in_passive)
  ;; declarative: it lets ref.func name $referenced, it stays
  (elem declare func $referenced)
  (data (memory $mem) (i32.const 0) "active")
  (data $used_passive "used")
  (data $unused_passive "unused")
  (start $init)
  (func $init (global.set $derived (i32.const 1)))
  (func $in_table (result i32) (i32.const 1))
  (func $only_in_passive)
  (func $referenced)
  (func $dead (call $dead_callee))
  (func $dead_callee (global.set $unused_global (i32.const 2)) (throw $unused_tag))
  (func $helper (param i32) (call $used_import (local.get 0)))
  (func (export "main") (param i32) (result i32)
    (call $helper (local.get 0))
    (memory.init $used_passive (i32.const 0) (i32.const 0) (i32.const 4))
    (drop (ref.func $referenced))
    (if (global.get $derived) (then (throw $thrown)))
    (call_indirect (result i32) (local.get 0))))

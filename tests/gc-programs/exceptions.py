# Exceptions: raise/except by class, finally, re-raise, nested handlers,
# exceptions crossing several calls, user-defined exception classes.


class AppError(Exception):
    pass


class ParseError(AppError):
    pass


def parse_digit(ch):
    if ch < "0" or ch > "9":
        raise ParseError("bad digit")
    return ord(ch) - ord("0")


def parse_number(text):
    n = 0
    for ch in text:
        n = n * 10 + parse_digit(ch)
    return n


def safe_parse(text):
    result = 0
    try:
        result = parse_number(text)
    except ParseError:
        result = -1
    finally:
        print("parsed", text)
    return result


def checked_div(a, b):
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return a // b


def divide(a, b):
    try:
        return checked_div(a, b)
    except ZeroDivisionError:
        print("division by zero")
        return 0


def cleanup_order():
    log = []
    try:
        try:
            log.append("inner")
            raise ValueError("x")
        finally:
            log.append("inner finally")
    except ValueError:
        log.append("outer except")
    finally:
        log.append("outer finally")
    return log


def reraise(n):
    try:
        if n > 2:
            raise AppError("too big")
        return n
    except AppError:
        print("rethrowing")
        raise ParseError("again")


print(safe_parse("1234"))
print(safe_parse("12x4"))
print(divide(17, 5), divide(1, 0))
print(cleanup_order())
total = 0
for i in range(5):
    try:
        total = total + reraise(i)
    except ParseError:
        total = total + 100
print(total)


def lookup(table, key):
    if key not in table:
        raise KeyError(key)
    return table[key]


def element(items, i):
    if i >= len(items):
        raise IndexError("list index out of range")
    return items[i]


try:
    print(element([1, 2, 3], 1), element([1, 2, 3], 10))
except IndexError:
    print("index error")
try:
    print(lookup({"a": 1}, "a"), lookup({"a": 1}, "b"))
except KeyError:
    print("key error")
count = 0
while count < 4:
    try:
        count = count + 1
        if count % 2 == 0:
            raise ValueError("even")
        print("odd", count)
    except ValueError:
        print("even", count)
    finally:
        print("loop finally", count)
print("done", count)

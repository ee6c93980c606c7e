# Recursion: plain, mutual, accumulating, and over nested lists.


def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


def depth_sum(items, depth):
    total = 0
    for item in items:
        if isinstance(item, list):
            total = total + depth_sum(item, depth + 1)
        else:
            total = total + item * depth
    return total


def hanoi(n, src, dst, via, moves):
    if n == 0:
        return moves
    moves = hanoi(n - 1, src, via, dst, moves)
    moves.append(src + dst)
    return hanoi(n - 1, via, dst, src, moves)


for i in range(12):
    print(i, fact(i), fib(i))
print(fact(20))
print(is_even(30), is_odd(17), is_even(7))
print(ackermann(2, 3))
print(depth_sum([1, [2, [3, 4], 5], [6]], 1))
print(hanoi(4, "a", "c", "b", []))

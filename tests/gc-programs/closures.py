# Closures, lambdas, higher-order functions and generators.


def make_adder(n):
    def add(x):
        return x + n

    return add


def make_counter():
    count = 0

    def step():
        nonlocal count
        count = count + 1
        return count

    return step


def compose(f, g):
    return lambda x: f(g(x))


def apply_n(f, n, x):
    for _ in range(n):
        x = f(x)
    return x


def countdown(n):
    while n > 0:
        yield n
        n = n - 1


def fib_gen(limit):
    a, b = 0, 1
    while a < limit:
        yield a
        a, b = b, a + b


add5 = make_adder(5)
add10 = make_adder(10)
print(add5(1), add10(1), add5(add10(0)))
c1 = make_counter()
c2 = make_counter()
c1()
c1()
print(c1(), c2())
double_then_inc = compose(lambda x: x + 1, lambda x: x * 2)
print(double_then_inc(7), apply_n(double_then_inc, 4, 1))
print(list(map(lambda x: x * x, [1, 2, 3, 4])))
print(list(filter(lambda x: x % 3 == 0, range(20))))
print(sorted(["ccc", "a", "bb"], key=lambda s: len(s)))
print(list(countdown(5)))
print([x for x in fib_gen(100)])
total = 0
for v in countdown(10):
    total = total + v
print(total)
adders = [make_adder(i) for i in range(4)]
print([f(100) for f in adders])

# Numbers: small ints (i31), large ints, floats and their printing, integer
# division and modulo on negatives, a sieve and a Newton square root,
# formatted floats (printed by the host as JavaScript prints them).


def sieve(n):
    flags = [True] * (n + 1)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            j = i * i
            while j <= n:
                flags[j] = False
                j = j + i
        i = i + 1
    primes = []
    for k in range(n + 1):
        if flags[k]:
            primes.append(k)
    return primes


def newton_sqrt(x):
    guess = x / 2.0
    for _ in range(20):
        guess = (guess + x / guess) / 2.0
    return guess


def gcd(a, b):
    while b != 0:
        a, b = b, a % b
    return a


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps = steps + 1
    return steps


print(sieve(50))
print(newton_sqrt(2.0), newton_sqrt(144.0))
print(1.5 + 2.25, 10 / 4, 7 / 2, 0.1 + 0.2)
print(-7 // 2, -7 % 2, 7 // -2, 7 % -2)
print(gcd(1071, 462), gcd(17, 5))
print(collatz_steps(27), max([collatz_steps(k) for k in range(1, 30)]))
big = 1
for i in range(1, 16):
    big = big * i
print(big, big // 1000, big % 997)
print(2 ** 40, abs(-12), round(3.7), int(9.9), float(3))
print(1000000 * 1000000, 123456789 * 1000)
print(f"{newton_sqrt(2.0):.3f}", f"{2.5:.0f}", f"{0.125:.2f}", f"{-1.0 / 3:.4f}")
print(str(1e21), str(1.5e-7), 1e300 * 10)

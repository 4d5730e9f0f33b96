x = 'global'
def outer():
    x = 'enclosing'
    def inner():
        return x
    def shadow():
        x = 'local'
        return x
    def modify():
        nonlocal x
        x = 'modified'
    a = inner()
    b = shadow()
    modify()
    return a, b, inner(), x
class K:
    x = 'class'
    y = x + '!'
    def m(self):
        return x
    z = [x for _ in range(1)]
counter = 0
def bump(n=1):
    global counter
    counter += n
    return counter
bump(); bump(5)
fns = []
for i in range(3):
    fns.append(lambda i=i: i * 10)
late = [lambda: i for i in range(3)]
result = (outer(), K.y, K().m(), counter, [f() for f in fns], [f() for f in late], x)

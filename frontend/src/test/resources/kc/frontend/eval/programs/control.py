log = []
def gen(n):
    for i in range(n):
        if i == 3:
            return
        yield i
        log.append(('after', i))
def find(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            break
    else:
        return -1
    return i
def tryer(v):
    out = []
    try:
        out.append('try')
        if v == 0:
            raise ValueError('zero')
        if v == 1:
            return out + ['ret']
        out.append(10 // (v - 2))
    except ValueError as e:
        out.append('VE:' + str(e))
    except ZeroDivisionError:
        out.append('ZD')
    else:
        out.append('else')
    finally:
        out.append('finally')
    return out
class MyErr(Exception):
    def __init__(self, code):
        super().__init__('code %d' % code)
        self.code = code
def raiser():
    try:
        raise MyErr(7)
    except Exception as e:
        return (type(e).__name__, e.code, str(e), e.args)
def reraise():
    try:
        try:
            {}['k']
        except KeyError:
            raise
    except LookupError as e:
        return 'outer caught ' + type(e).__name__
w = 0
n = 0
while True:
    n += 1
    if n % 2:
        continue
    w += n
    if n > 8:
        break
result = (list(gen(10)), log, find([5, 6, 7], 6), find([], 1), tryer(0), tryer(1), tryer(2), tryer(4), raiser(),
          reraise(), w, n, [x for x in gen(2)], next(iter([9])), sum(x for x in range(4) if x != 2))

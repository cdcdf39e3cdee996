"""The passwords guessed first: the most common ones in leaked Chinese and English
password lists (CSDN, 163, 178, RockYou), eight characters or longer (shorter ones
fail the length rule anyway), lower case. Not a dictionary: a guesser tries these
before anything else, throttled or not."""

_LISTED = """
    00000000 000000000 0000000000 11111111 111111111 1111111111 11223344 112233445566
    12121212 123123123 12341234 12344321 123456789 1234567890 12345678 123456789a
    1234qwer 123654789 123qwe123 1314520520 1314521521 131452000 147258369 1472583690
    159357159357 159753159753 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 1qaz2wsx3edc 22222222
    321321321 33333333 44444444 520131400 5201314520 520520520 52013145201314 55555555
    66666666 666666666 77777777 7758521521 87654321 88888888 888888888 8888888888
    987654321 9876543210 99999999 a12345678 a123456789 a1234567 a1b2c3d4 aa123456
    aaaaaaaa abc123456 abc12345 abcd1234 abcdefgh admin123 admin888 admin1234
    asdf1234 asdfasdf asdfghjkl baseball dearbook football iloveyou iloveyou1
    letmein1 password password1 password123 passw0rd princess q1w2e3r4 qq123456
    qq5201314 qwe12345 qwe123456 qweasdzxc qwer1234 qwerty12 qwerty123 qwertyuiop
    sunshine superman welcome1 woaini123 woaini520 woaini1314 woaiwojia z123456789
    zhang123 zxc123456 zxcvbnm1 zxcvbnm123 xiaoming 1234abcd abcd123456
    """
COMMON_PASSWORDS = frozenset(_LISTED.split())

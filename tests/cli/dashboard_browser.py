#!/usr/bin/python3
"""The dashboard of a running `supervise up --http`, in headless Chromium.

Run by tests/cli/dashboard_e2e.cpp with three running children. Opens the
page with its token, then, without reloading it: sees every child running,
kills one worker with SIGKILL and sees its restart, clicks another child's
restart button and sees its new process, presses a button with the keyboard,
checks the page on a phone-sized screen and that the console holds no error,
and saves a screenshot. With --restart-up it then stops that `up`, starts
another one, and sees the page reconnect to it by itself. Every wait has a
deadline; exits 0 when everything held, else 1 with what did not.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

# Every child as the page shows it, read in one go (the data-* contract).
SNAPSHOT = """
return Array.from(document.querySelectorAll('[data-child]')).map((card) => {
  const text = (name) => {
    const element = card.querySelector('[data-field="' + name + '"]');
    return element ? element.textContent.trim() : null;
  };
  return {id: card.dataset.child, state: text('state'), restarts: text('restarts'),
          pid: text('pid'), reply: text('reply')};
});
"""


class Failed(Exception):
    pass


def children(driver):
    return {child['id']: child for child in driver.execute_script(SNAPSHOT)}


def shown_field(shown, child, name):
    """What the page shows in `child`'s data-field `name`; None when absent."""
    return shown.get(child, {}).get(name)


def wait_until(driver, seconds, what, condition):
    """Polls `condition(children)` until it holds; Failed naming `what` if not."""
    last = {}

    def holds(_):
        nonlocal last
        last = children(driver)
        return condition(last)

    try:
        WebDriverWait(driver, seconds, poll_frequency=0.1).until(holds)
    except TimeoutException:
        raise Failed(f'{what}: not within {seconds} s; the page shows {last}') from None
    return last


def is_worker_of(pid, child):
    """True when `pid` lives and carries the environment supervise gave `child`."""
    try:
        with open(f'/proc/{pid}/environ', 'rb') as environ:
            entries = environ.read().split(b'\0')
    except OSError:
        return False
    return f'SUPERVISE_STREAM_ID={child}'.encode() in entries


def wait_for(seconds, what, condition):
    """Polls `condition()` until it holds; Failed naming `what` if not."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise Failed(f'{what}: not within {seconds} s')
        time.sleep(0.05)


def has_ended(pid):
    """True once `pid` has exited (a zombie holds no lock and no port)."""
    try:
        with open(f'/proc/{pid}/stat', encoding='utf-8') as stat:
            return stat.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except OSError:
        return True


def console_errors(driver, tolerated=()):
    return [entry for entry in driver.get_log('browser') if entry['level'] == 'SEVERE'
            and not any(part in entry['message'] for part in tolerated)]


def browser():
    options = Options()
    options.binary_location = '/usr/bin/chromium'
    for argument in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
                     '--window-size=1280,1000', '--no-first-run', '--disable-extensions',
                     '--force-prefers-reduced-motion'):
        options.add_argument(argument)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)


def check(driver, args):
    ids = args.children.split(',')
    driver.get(args.url)

    shown = wait_until(driver, 10, 'every child running',
                       lambda c: all(shown_field(c, i, 'state') == 'running' for i in ids))
    print(f'running: {sorted(shown)}', flush=True)

    # The token went from the address bar into this tab's sessionStorage.
    if 'token=' in driver.current_url:
        raise Failed(f'the token is still in the address: {driver.current_url}')
    if not driver.execute_script("return sessionStorage.getItem('supervise-token')"):
        raise Failed('the token is not in sessionStorage')
    # A mark that a reload would wipe out.
    driver.execute_script('window.notReloaded = true;')

    # kill -9 of one worker: the page shows its restart, without a reload.
    killed = args.kill
    pid = int(shown[killed]['pid'])
    if not is_worker_of(pid, killed):
        raise Failed(f'PID {pid} shown for {killed} is not its worker')
    os.kill(pid, signal.SIGKILL)
    wait_until(driver, 8, f'{killed} running again with restarts 1',
               lambda c: shown_field(c, killed, 'restarts') == '1'
               and shown_field(c, killed, 'state') == 'running'
               and shown_field(c, killed, 'pid') not in (None, '', '–', str(pid)))
    print(f'{killed}: restarted after kill -9 of {pid}', flush=True)

    # A click on another child's restart button starts a new process for it.
    clicked = args.click
    before = children(driver)[clicked]['pid']
    driver.find_element(
        By.CSS_SELECTOR, f'[data-child="{clicked}"] button[data-action="restart"]').click()
    after = wait_until(driver, 10, f'{clicked} running with a new PID after its restart button',
                       lambda c: shown_field(c, clicked, 'state') == 'running'
                       and shown_field(c, clicked, 'pid') not in (None, '', '–', before))
    new_pid = after[clicked]['pid']
    if not is_worker_of(int(new_pid), clicked):
        raise Failed(f'PID {new_pid} shown for {clicked} is not its worker')
    print(f'{clicked}: restarted by its button, PID {before} -> {new_pid}', flush=True)

    # Keyboard: the buttons are reached with Tab and pressed with Enter.
    keyboard = ids[0]
    body = driver.find_element(By.TAG_NAME, 'body')
    body.send_keys(Keys.TAB)
    focused = driver.execute_script('return document.activeElement.tagName')
    if focused != 'BUTTON':
        raise Failed(f'Tab reaches {focused}, not a button')
    start = driver.find_element(By.CSS_SELECTOR,
                                f'[data-child="{keyboard}"] button[data-action="start"]')
    driver.execute_script('arguments[0].focus()', start)
    start.send_keys(Keys.ENTER)
    wait_until(driver, 10, f'the reply to start {keyboard}, pressed with Enter',
               lambda c: 'nothing to do' in (shown_field(c, keyboard, 'reply') or ''))
    if not driver.execute_script('return document.activeElement === arguments[0]', start):
        raise Failed('the focus left the button pressed with Enter')

    if not driver.execute_script('return window.notReloaded === true'):
        raise Failed('the page was reloaded')

    driver.execute_script('window.scrollTo(0, 0)')
    driver.save_screenshot(args.screenshot)

    # A phone-sized screen (headless windows have a minimum width, so the
    # screen is emulated): one column, nothing wider than the screen.
    driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                           {'width': 390, 'height': 844, 'deviceScaleFactor': 2, 'mobile': True})
    WebDriverWait(driver, 5, poll_frequency=0.1).until(
        lambda d: d.execute_script('return window.innerWidth') == 390)
    overflow = driver.execute_script(
        'return document.documentElement.scrollWidth - window.innerWidth')
    if overflow > 0:
        raise Failed(f'on a phone-sized screen the page is {overflow} px too wide')

    errors = console_errors(driver)
    if errors:
        raise Failed(f'the console holds errors: {errors}')
    print('console: no errors', flush=True)


def reconnect_after_restart(driver, args):
    """Stops `up`, starts it again, and sees the page follow without a reload."""
    ids = args.children.split(',')
    with open(f'/proc/{args.up_pid}/cmdline', 'rb') as cmdline:
        if b'supervise' not in cmdline.read():
            raise Failed(f'PID {args.up_pid} is not supervise')
    os.kill(args.up_pid, signal.SIGTERM)
    WebDriverWait(driver, 20, poll_frequency=0.1).until(
        lambda d: d.find_element(By.ID, 'connection').get_attribute('data-connection') != 'live')
    wait_for(30, f'the first supervise (PID {args.up_pid}) to exit',
             lambda: has_ended(args.up_pid))
    with open(args.up_output, 'wb') as output:
        again = subprocess.Popen(json.loads(args.up_argv), stdin=subprocess.DEVNULL,
                                 stdout=output, stderr=subprocess.STDOUT)
    try:
        try:
            WebDriverWait(driver, 20, poll_frequency=0.1).until(
                lambda d: f'supervisor PID {again.pid}' in d.find_element(By.ID, 'initiative').text
                and d.find_element(By.ID, 'connection').get_attribute('data-connection') == 'live')
        except TimeoutException:
            raise Failed(f'the page did not reconnect to the new supervise (PID {again.pid})') \
                from None
        wait_until(driver, 10, 'every child running under the new supervise',
                   lambda c: all(shown_field(c, i, 'state') == 'running' for i in ids))
        if not driver.execute_script('return window.notReloaded === true'):
            raise Failed('the page was reloaded')
        print(f'reconnected to the new supervise, PID {again.pid}', flush=True)
    finally:
        again.send_signal(signal.SIGTERM)
        try:
            again.wait(timeout=30)
        except subprocess.TimeoutExpired:
            again.kill()
            again.wait()
            raise Failed('the second supervise did not end within 30 s of SIGTERM') from None
    if again.returncode != 0:
        raise Failed(f'the second supervise exited {again.returncode}')
    # While no supervisor ran, the browser logged its refused connections.
    errors = console_errors(driver, tolerated=('ERR_CONNECTION_REFUSED', 'ERR_EMPTY_RESPONSE',
                                               'ERR_CONNECTION_RESET', 'ERR_INCOMPLETE_CHUNKED'))
    if errors:
        raise Failed(f'the console holds errors: {errors}')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', required=True, help='the dashboard, with ?token=')
    parser.add_argument('--children', required=True, help='ids that must all be running')
    parser.add_argument('--kill', required=True, help='the child whose worker gets SIGKILL')
    parser.add_argument('--click', required=True, help='the child restarted by its button')
    parser.add_argument('--screenshot', required=True, help='where the PNG goes')
    parser.add_argument('--restart-up', action='store_true',
                        help='then stop supervise and start it again (needs the three below)')
    parser.add_argument('--up-pid', type=int, help='the running supervise up')
    parser.add_argument('--up-argv', help='its command line, a JSON list, to start it again')
    parser.add_argument('--up-output', help='where the second one writes its output')
    args = parser.parse_args()
    driver = browser()
    try:
        check(driver, args)
        if args.restart_up:
            reconnect_after_restart(driver, args)
    except Failed as failure:
        print(f'FAILED: {failure}', file=sys.stderr, flush=True)
        print(f'console: {driver.get_log("browser")}', file=sys.stderr, flush=True)
        return 1
    finally:
        driver.quit()
    return 0


if __name__ == '__main__':
    sys.exit(main())

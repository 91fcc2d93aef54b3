# The measured error table of ChiSquareNodes (its Javadoc): a NumPy replica of the grid
# (step, ends, normalised weights, R = 1e4) against SciPy's adaptive quad. Run: python3 chi_square_nodes_table.py
# Replica of ChiSquareNodes' grid (step, ends, weights) in NumPy, measured against SciPy quad.
import numpy as np
from scipy.special import gammaln
from scipy.integrate import quad
EPS=1e-9
def lgr(a,w):
    n=np.arange(4000); b=a+n; s=np.log1p(w*w/(b*b)).sum(); c=a+4000-0.5
    s+=2*w*(np.pi/2-np.arctan(c/w))-c*np.log1p(w*w/(c*c)); return -0.5*s
def step(a):
    t=np.log(0.5*EPS); lo=hi=1.0
    while lgr(a,hi)>t: lo=hi; hi*=2
    for _ in range(60):
        m=0.5*(lo+hi)
        if lgr(a,m)>t: lo=m
        else: hi=m
    return 2*np.pi/hi
def upper(nu,d):
    a=0.5*(nu+d); f=np.log(EPS)-5; p=np.log(2*a); u=p
    while a*(u-p)-0.5*(np.exp(u)-2*a)>f: u+=0.01
    return u
def margin(a): return (np.log(EPS)+gammaln(a+1)-a*np.log(a))/a
def lower(nu,d,ratio):
    a=0.5*(nu+d); return min(np.log(2*a/(1+ratio))+margin(a), np.log(nu)+margin(nu/2))
def logf(u,q,A,B,nu,d):
    c=A+B*nu*np.exp(-u)
    return nu/2*u-np.exp(u)/2-gammaln(nu/2)-nu/2*np.log(2) - d/2*np.log(2*np.pi*c)-q/(2*c)
def exact(q,A,B,nu,d):
    us=np.linspace(-80,8,40001); l=logf(us,q,A,B,nu,d); m=l.max(); up=us[l.argmax()]
    v,e=quad(lambda u: np.exp(logf(u,q,A,B,nu,d)-m), -80, 8, points=[up-3,up,up+3], limit=1000, epsabs=0, epsrel=1e-13)
    return np.log(v)+m
def trap(q,A,B,nu,d):
    # the Java grid: covered q up to R^2 (A + B) with R = 1e4, ratio = covered / (B nu)
    ratio=1e8*(A+B)/(B*nu)
    h=step(0.5*(nu+d)); lo=lower(nu,d,ratio); hi=upper(nu,d)
    n=int(np.ceil((hi-lo)/h))+1; u=lo+np.arange(n)*h
    lw=0.5*nu*u-0.5*np.exp(u); lw-=np.log(np.exp(lw-lw.max()).sum())+lw.max()
    c=A+B*nu*np.exp(-u); l=lw-d/2*np.log(2*np.pi*c)-q/(2*c); m=l.max()
    return m+np.log(np.exp(l-m).sum()), n, h
for nu,d in [(3,1),(3,2),(2.5,8),(10,2),(5,32),(3,100)]:#,(3,2),(2.5,8),(10,2),(5,32)]:
    worst=0
    for A,B in [(1.0,0.01),(0.5,0.5),(0.0,1.0)]:
        for q in [0,1,1e2,1e4,1e8]:
            qq=q*(A+B)*max(d,1)**0 
            e=exact(qq,A,B,nu,d); t,n,h=trap(qq,A,B,nu,d)
            worst=max(worst,abs(np.expm1(t-e)))
    print("%5.1f %4d %7.3f %5d %9.1e"%(nu,d,h,n,worst))
